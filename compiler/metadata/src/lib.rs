//! The metadata of a Min contract: the JSON file `minc build` writes beside
//! the Wasm module, and that the contract runtime (`min-runtime`) reads to
//! run the module's procedures without the compiler.
//!
//! It says which ABI the module follows, which run-time helpers it imports,
//! what it exports with its Min types, the constructors its data headers
//! name by id, the names its traces use, the data types whose values cross
//! its boundary (with their fields' types, [`TypeDesc`]), and each
//! procedure's dependency set with the role of every parameter and result.
//!
//! The fields added after the first version (`names`, `data_types`,
//! `record`, `arguments`, `results`, `events`, `checker`) default to empty
//! when absent, so older files still read.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

/// The version of the value representation and calling convention the
/// module follows (`spec/regions.md`); hosts refuse other versions.
pub const ABI_VERSION: u32 = 1;

/// The metadata file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The module's name.
    pub module: String,
    /// The ABI the module follows ([`ABI_VERSION`]).
    pub abi_version: u32,
    /// The Wasm module's import module and the helpers it imports from it, in order.
    pub imports: Imports,
    /// The module's own definitions, as Wasm exports.
    pub exports: Vec<ExportInfo>,
    /// The module's own types.
    pub types: Vec<TypeInfo>,
    /// Constructors by the id that data headers and atoms carry.
    pub constructors: Vec<ConstructorInfo>,
    /// The contract's procedures and their dependency sets.
    pub procedures: Vec<ProcedureInfo>,
    /// Names by the index that helper calls pass, for faults' traces.
    #[serde(default)]
    pub names: Vec<String>,
    /// Every data type a procedure's parameters or results may hold, the
    /// module's own and imported ones, by qualified name.
    #[serde(default)]
    pub data_types: Vec<DataTypeInfo>,
    /// The hash of the contract's published interface ([`interface_hash`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interface: String,
    /// The other contracts whose procedures it calls, each with the hash of
    /// the interface it was compiled against, by module name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CalledContract>,
}

/// The data types among `data_types` that the procedures' parameters and
/// results reach, directly or through fields.
fn reached<'d>(procedures: &[ProcedureInfo], data_types: &'d [DataTypeInfo]) -> Vec<&'d DataTypeInfo> {
    let mut pending: Vec<&TypeDesc> =
        procedures.iter().flat_map(|p| p.arguments.iter().chain(&p.results)).map(|slot| &slot.r#type).collect();
    let mut found: Vec<&DataTypeInfo> = Vec::new();
    while let Some(ty) = pending.pop() {
        match ty {
            TypeDesc::List(item) => pending.push(item),
            TypeDesc::Tuple(items) => pending.extend(items),
            TypeDesc::Data { name, args } => {
                pending.extend(args);
                if let Some(info) = data_types.iter().find(|t| &t.name == name)
                    && !found.iter().any(|t| t.name == info.name)
                {
                    found.push(info);
                    pending.extend(info.variants.iter().flat_map(|variant| &variant.fields));
                }
            }
            _ => {}
        }
    }
    found
}

/// A contract whose procedures another calls, as the caller was compiled
/// against it (`spec/contracts.md`, "Calls between contracts").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalledContract {
    /// Its module's name.
    pub module: String,
    /// The hash of its interface ([`interface_hash`]).
    pub interface: String,
}

/// The hash that identifies a contract's published interface: its
/// procedures (names, and the role and type of each parameter and result
/// component) and the data types they reach, with their constructors and
/// fields. Two builds of contracts with the same interface have the same
/// hash, whatever their code, checkers and gas bounds; any change a caller
/// could notice changes it. Hex-encoded BLAKE3 of a canonical JSON form.
pub fn interface_hash(procedures: &[ProcedureInfo], data_types: &[DataTypeInfo]) -> String {
    #[derive(Serialize)]
    struct Canonical<'a> {
        procedures: Vec<(&'a str, &'a [Slot], &'a [Slot])>,
        data_types: Vec<&'a DataTypeInfo>,
    }
    let mut data_types = reached(procedures, data_types);
    data_types.sort_by_key(|t| t.name.as_str());
    let mut procedures: Vec<_> =
        procedures.iter().map(|p| (p.short_name(), p.arguments.as_slice(), p.results.as_slice())).collect();
    procedures.sort_by_key(|(name, ..)| *name);
    let canonical = serde_json::to_vec(&Canonical { procedures, data_types })
        .unwrap_or_else(|error| unreachable!("an interface always serialises: {error}"));
    blake3::hash(&[b"min/interface/v1\0".as_slice(), &canonical].concat()).to_hex().to_string()
}

impl Metadata {
    /// Reads a metadata file.
    pub fn from_json(bytes: &[u8]) -> Result<Metadata, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The metadata as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|error| unreachable!("metadata always serialises: {error}"))
    }

    /// The procedure named `name`, qualified (`bank.open`) or not (`open`).
    pub fn procedure(&self, name: &str) -> Option<&ProcedureInfo> {
        self.procedures.iter().find(|p| p.name == name || p.short_name() == name)
    }

    /// The hash of the interface its procedures and data types make,
    /// computed afresh rather than read from [`Metadata::interface`].
    pub fn interface_hash(&self) -> String {
        interface_hash(&self.procedures, &self.data_types)
    }

    /// The data type of qualified name `name`.
    pub fn data_type(&self, name: &str) -> Option<&DataTypeInfo> {
        self.data_types.iter().find(|t| t.name == name)
    }
}

/// The helpers a module imports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imports {
    /// The Wasm import module they come from.
    pub module: String,
    /// Each helper, in the order of the module's imports.
    pub helpers: Vec<HelperInfo>,
}

/// One imported helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperInfo {
    /// Its import name.
    pub name: String,
    /// How many `i64` words it takes.
    pub params: usize,
}

/// An exported definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportInfo {
    /// The name of the Wasm export: the qualified name.
    pub name: String,
    /// The Min type, as the checker prints it.
    pub r#type: String,
    /// Its parameters' types, printed.
    pub params: Vec<String>,
    /// Its result type, printed.
    pub result: String,
    /// Its doc comment.
    pub doc: String,
}

/// One of the module's own types, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeInfo {
    /// Qualified name.
    pub name: String,
    /// Whether it is a record.
    pub record: bool,
    /// Its constructors' names.
    pub constructors: Vec<String>,
}

/// A constructor of the run-time table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstructorInfo {
    /// Its name as written.
    pub name: String,
    /// Its index among its type's variants.
    pub tag: u32,
    /// How many fields it has.
    pub arity: u32,
    /// Field names (empty for positional fields).
    pub fields: Vec<String>,
    /// Whether its type is a record.
    #[serde(default)]
    pub record: bool,
}

impl From<&min_core::Constructor> for ConstructorInfo {
    fn from(c: &min_core::Constructor) -> ConstructorInfo {
        ConstructorInfo { name: c.name.clone(), tag: c.tag, arity: c.arity, fields: c.fields.clone(), record: c.record }
    }
}

impl From<&ConstructorInfo> for min_core::Constructor {
    fn from(c: &ConstructorInfo) -> min_core::Constructor {
        min_core::Constructor {
            name: c.name.clone(),
            tag: c.tag,
            arity: c.arity,
            fields: c.fields.clone(),
            record: c.record,
        }
    }
}

/// A procedure: its dependency set, and where each part sits in its
/// signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureInfo {
    /// Qualified name, also the name of its Wasm export.
    pub name: String,
    /// Types of the objects it consumes, printed.
    pub inputs: Vec<String>,
    /// Types of the objects it reads without consuming them (each `T` of
    /// a `Ref T` parameter), printed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Types of the values the transaction carries, printed.
    pub params: Vec<String>,
    /// Types of the objects it creates, printed.
    pub outputs: Vec<String>,
    /// Types of the values it returns, printed.
    pub returns: Vec<String>,
    /// Types of the events it logs (an event type, or a list of one), printed.
    #[serde(default)]
    pub events: Vec<String>,
    /// Its parameters in order: each one's role and type.
    #[serde(default)]
    pub arguments: Vec<Slot>,
    /// The components of its result in order (none for `()`, one for a
    /// result that is not a tuple): each one's role and type.
    #[serde(default)]
    pub results: Vec<Slot>,
    /// The export of its stateless checker (`spec/contracts.md`): given
    /// the procedure's arguments and a claimed result, whether the
    /// procedure makes that result. Empty when the module has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub checker: String,
    /// The most gas a call can use, by the bytes of its arguments
    /// (`spec/gas.md`, "Static bounds").
    #[serde(default)]
    pub gas_bound: GasBound,
    /// Bytes of Wasm code a call may run: the procedure's function and
    /// every function it may call.
    #[serde(default)]
    pub code_bytes: u64,
    /// The procedures of other contracts it may call (qualified names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<String>,
}

/// A procedure's static gas bound.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GasBound {
    /// `G(b) = c₀ + c₁·b + c₂·b² + …` for arguments of `b` bytes: the
    /// coefficients, lowest degree first.
    Polynomial(Vec<u64>),
    /// No bound is known, and why.
    None(String),
}

impl Default for GasBound {
    fn default() -> GasBound {
        GasBound::None("the module was built without gas bounds".into())
    }
}

impl GasBound {
    /// The bound for arguments of `bytes` bytes (saturating), if there is one.
    pub fn at(&self, bytes: u64) -> Option<u64> {
        match self {
            GasBound::Polynomial(coefficients) => {
                Some(coefficients.iter().rev().fold(0u64, |acc, c| acc.saturating_mul(bytes).saturating_add(*c)))
            }
            GasBound::None(_) => None,
        }
    }
}

impl ProcedureInfo {
    /// The name without its module.
    pub fn short_name(&self) -> &str {
        self.name.rsplit_once('.').map_or(self.name.as_str(), |(_, name)| name)
    }
}

/// A parameter or a result component of a procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// What it is for the transaction.
    pub role: Role,
    /// Its type.
    pub r#type: TypeDesc,
}

/// What a procedure's parameter or result is for the transaction
/// (`spec/contracts.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A parameter that is an object of the contract: consumed.
    Input,
    /// A parameter of type `Ref T`: an object of the contract the
    /// transaction reads without consuming it. Its type is the `Ref`; the
    /// runtime takes the object and wraps it.
    Reference,
    /// Any other parameter: a value the transaction carries.
    Param,
    /// The `Signer` parameter: the account that signed the transaction,
    /// which the chain fills in from its signature (`spec/security.md`).
    Signer,
    /// The `Time` parameter: the time of the block that runs the
    /// transaction, which the chain fills in (`spec/security.md`).
    Time,
    /// A result that is an object of the contract: created.
    Output,
    /// Any other result: returned to the caller.
    Return,
    /// A result of an `event` type, or a list of one: logged by the chain.
    Event,
}

/// A Min type, structurally, as far as values of it are data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TypeDesc {
    /// `ℕ`.
    Nat,
    /// `ℤ`.
    Int,
    /// `ℝ`.
    Real,
    /// `Bool`.
    Bool,
    /// `Char`.
    Char,
    /// `S`.
    Str,
    /// `[T]`.
    List(Box<TypeDesc>),
    /// `(A, B, …)`; no components is `()`.
    Tuple(Vec<TypeDesc>),
    /// A data type or record applied to arguments.
    Data {
        /// Its qualified name, as in [`Metadata::data_types`].
        name: String,
        /// Its type arguments.
        args: Vec<TypeDesc>,
    },
    /// The `i`th parameter of the data type whose field this is.
    Param(u32),
    /// A type whose values are not data (a function), printed.
    Opaque(String),
}

/// A data type whose values may cross the contract's boundary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataTypeInfo {
    /// Qualified name.
    pub name: String,
    /// How many type parameters it has.
    pub params: u32,
    /// Whether it is a record.
    pub record: bool,
    /// Its constructors, in tag order.
    pub variants: Vec<VariantInfo>,
}

/// A constructor of a [`DataTypeInfo`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantInfo {
    /// Its name.
    pub name: String,
    /// Field names (empty for positional fields).
    pub field_names: Vec<String>,
    /// Field types, with [`TypeDesc::Param`] for the type's parameters.
    pub fields: Vec<TypeDesc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_the_later_fields_still_reads() {
        let json = r#"{"module":"m","abi_version":1,"imports":{"module":"min","helpers":[{"name":"arith","params":5}]},
            "exports":[],"types":[],"constructors":[{"name":"A","tag":0,"arity":0,"fields":[]}],
            "procedures":[{"name":"m.p","inputs":[],"params":[],"outputs":[],"returns":[]}]}"#;
        let metadata = Metadata::from_json(json.as_bytes()).unwrap();
        assert!(metadata.names.is_empty() && metadata.data_types.is_empty());
        assert!(!metadata.constructors[0].record);
        assert_eq!(metadata.procedure("p").map(|p| p.name.as_str()), Some("m.p"));
        assert_eq!(Metadata::from_json(metadata.to_json().as_bytes()).unwrap(), metadata);
    }

    #[test]
    fn types_read_as_tagged_json() {
        let ty = TypeDesc::List(Box::new(TypeDesc::Data { name: "m.A".into(), args: vec![TypeDesc::Nat] }));
        let json = serde_json::to_string(&ty).unwrap();
        assert_eq!(json, r#"{"List":{"Data":{"name":"m.A","args":["Nat"]}}}"#);
        assert_eq!(serde_json::from_str::<TypeDesc>(&json).unwrap(), ty);
    }
}
