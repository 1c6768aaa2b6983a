//! What a module shows to the modules that import it: its types, its
//! constructors and the schemes of its definitions. Dependents are re-checked
//! only when this changes.

use crate::types::{Scheme, Type};
use min_diagnostics::Span;
pub use min_syntax::ast::TypeKind;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A module's public face.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Interface {
    /// The module's name.
    pub name: String,
    /// Definitions by unqualified name.
    pub values: BTreeMap<String, ValueInfo>,
    /// Types by unqualified name.
    pub types: BTreeMap<String, Arc<AdtDef>>,
    /// Its procedures, if it is a contract: what transactions may call.
    pub procedures: Vec<Procedure>,
    /// Every data type this module knows, its own and its imports', whose
    /// values are linear whatever its type arguments: the assets and the
    /// types with a field that holds one. Importers add it to their own.
    pub linear_types: BTreeSet<Arc<str>>,
    /// The module's functions (qualified names) that may run without bound,
    /// and those of its imports: recursions on something other than a
    /// part of their input, and what calls them (`spec/security.md`).
    pub unbounded: BTreeSet<String>,
}

/// `span` emptied, in its file.
pub fn without_position(span: Span) -> Span {
    Span { file: span.file, start: 0, end: 0 }
}

impl Interface {
    /// The same interface with every span emptied: what importers depend on.
    pub fn without_positions(&self) -> Interface {
        let mut interface = self.clone();
        for value in interface.values.values_mut() {
            value.span = without_position(value.span);
        }
        for adt in interface.types.values_mut() {
            *adt = adt.without_positions();
        }
        interface
    }

    /// The same interface with each span of its own values and types
    /// replaced by `place(span)`.
    pub fn placed(&self, place: &dyn Fn(Span) -> Span) -> Interface {
        let mut interface = self.clone();
        for value in interface.values.values_mut() {
            value.span = place(value.span);
        }
        for adt in interface.types.values_mut() {
            *adt = adt.placed(place);
        }
        interface
    }

    /// The type and constructor index of constructor `name`, if this module defines it.
    pub fn constructor(&self, name: &str) -> Option<(Arc<AdtDef>, u32)> {
        self.types.values().find_map(|adt| adt.constructor_index(name).map(|index| (adt.clone(), index)))
    }
}

/// A contract procedure and what its transactions carry, by role; the
/// types of `inputs` and `outputs` are (or hold) the contract's objects.
/// This is its dependency set (`spec/contracts.md`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Procedure {
    /// `Module.name`.
    pub name: String,
    /// Objects the transaction consumes, one per parameter of object type.
    pub inputs: Vec<Type>,
    /// Objects the transaction reads without consuming them, one per
    /// parameter of type `Ref T`: the object types `T`.
    pub references: Vec<Type>,
    /// Values the transaction carries.
    pub params: Vec<Type>,
    /// Objects it creates (new objects, or new versions of its inputs).
    pub outputs: Vec<Type>,
    /// Other results, returned to the caller.
    pub returns: Vec<Type>,
    /// Whether it takes the transaction's signer (a `Signer` parameter),
    /// which the chain fills in from the transaction's signature.
    pub signer: bool,
    /// Whether it takes the time of the block that runs it (a `Time`
    /// parameter), which the chain fills in.
    pub timed: bool,
    /// Results of an event type, or lists of one: logged by the chain.
    pub events: Vec<Type>,
    /// The procedures of other contracts it may call (qualified names, in
    /// order), directly or through the module's functions. Their objects
    /// may be among its inputs and outputs: it hands them on to those
    /// procedures and takes them from them.
    pub calls: Vec<String>,
}

impl Procedure {
    /// What its transactions consume, read, carry, create, return and log, in words:
    /// `consumes Account, Account · reads Rate · takes ℕ · creates Account, Account · logs Transferred`,
    /// after `signed` when it takes the signer and `timed` when it takes
    /// the block time, and ending with the
    /// procedures of other contracts it calls (`calls Gold.pay`).
    pub fn summary(&self) -> String {
        let mut printer = crate::types::TypePrinter::default();
        let roles = [
            ("consumes", &self.inputs),
            ("reads", &self.references),
            ("takes", &self.params),
            ("creates", &self.outputs),
            ("returns", &self.returns),
            ("logs", &self.events),
        ];
        let signed = self.signer.then(|| "signed".to_string());
        let timed = self.timed.then(|| "timed".to_string());
        let parts: Vec<String> = signed
            .into_iter()
            .chain(timed)
            .chain(roles.into_iter().filter(|(_, types)| !types.is_empty()).map(|(verb, types)| {
                format!("{verb} {}", types.iter().map(|ty| printer.show(ty)).collect::<Vec<_>>().join(", "))
            }))
            .chain((!self.calls.is_empty()).then(|| format!("calls {}", self.calls.join(", "))))
            .collect();
        if parts.is_empty() { "nothing".to_string() } else { parts.join(" · ") }
    }
}

/// A definition's type and documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueInfo {
    /// `Module.name`.
    pub qualified: String,
    /// Its generalized type.
    pub scheme: Scheme,
    /// Where it is defined.
    pub span: Span,
    /// Its doc comment.
    pub doc: String,
    /// For each quantified variable of the scheme, whether an asset may be
    /// substituted for it: whether the definition uses every value of that
    /// type exactly once. Inferred from the body; a missing entry means yes.
    pub linear_safe: Vec<bool>,
}

impl ValueInfo {
    /// Whether an asset may be substituted for the scheme's variable `index`.
    pub fn takes_assets_for(&self, index: usize) -> bool {
        self.linear_safe.get(index).copied().unwrap_or(true)
    }
}

pub use min_core::prelude::{REF, SIGNER, TIME};

/// Whether `ty` is the prelude's `Signer`.
pub fn is_signer(ty: &Type) -> bool {
    matches!(ty, Type::App(crate::types::Con::Adt(name), args) if &**name == SIGNER && args.is_empty())
}

/// Whether `ty` is the prelude's `Time`.
pub fn is_time(ty: &Type) -> bool {
    matches!(ty, Type::App(crate::types::Con::Adt(name), args) if &**name == TIME && args.is_empty())
}

/// The type of the object `ty` refers to, when `ty` is a `Ref`.
pub fn referenced(ty: &Type) -> Option<&Type> {
    match ty {
        Type::App(crate::types::Con::Adt(name), args) if &**name == REF && args.len() == 1 => Some(&args[0]),
        _ => None,
    }
}

/// An algebraic data type or record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdtDef {
    /// `Module.Name`.
    pub qualified: Arc<str>,
    /// Names of the type parameters; fields refer to them as `Gen(i)`.
    pub params: Vec<String>,
    /// The constructors, in order (one for a record).
    pub constructors: Vec<ConstructorDef>,
    /// Whether it is a record.
    pub record: bool,
    /// Whether it is declared `asset` or `object`: then its values are
    /// linear, and only its own module may build them or take them apart.
    pub kind: TypeKind,
    /// Where it is defined.
    pub span: Span,
    /// Its doc comment.
    pub doc: String,
}

impl AdtDef {
    /// The same type with its spans and its constructors' emptied; the same
    /// `Arc` when they are empty already.
    pub fn without_positions(self: &Arc<AdtDef>) -> Arc<AdtDef> {
        let positioned = |span: Span| span.start != 0 || span.end != 0;
        if !positioned(self.span) && !self.constructors.iter().any(|constructor| positioned(constructor.span)) {
            return self.clone();
        }
        self.placed(&without_position)
    }

    /// The same type with each of its spans and its constructors' replaced
    /// by `place(span)`.
    pub fn placed(self: &Arc<AdtDef>, place: &dyn Fn(Span) -> Span) -> Arc<AdtDef> {
        let mut adt = self.clone();
        let inner = Arc::make_mut(&mut adt);
        inner.span = place(inner.span);
        for constructor in &mut inner.constructors {
            constructor.span = place(constructor.span);
        }
        adt
    }

    /// The module that declares the type.
    pub fn module(&self) -> &str {
        self.qualified.rsplit_once('.').map_or("", |(module, _)| module)
    }

    /// The index of constructor `name`.
    pub fn constructor_index(&self, name: &str) -> Option<u32> {
        self.constructors.iter().position(|c| c.name == name).map(|i| i as u32)
    }

    /// Whether any field of any constructor is written under an authority.
    pub fn has_authority(&self) -> bool {
        self.constructors.iter().any(|c| c.authority.iter().any(Option::is_some))
    }

    /// Constructor `tag` as the core IR and the run time describe it.
    pub fn core_constructor(&self, tag: u32) -> min_core::Constructor {
        let def = &self.constructors[tag as usize];
        min_core::Constructor {
            name: def.name.clone(),
            tag,
            arity: def.fields.len() as u32,
            fields: def.fields.iter().filter_map(|(name, _)| name.clone()).collect(),
            record: self.record,
        }
    }
}

/// One constructor and its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstructorDef {
    /// Its name.
    pub name: String,
    /// Field names (if named) and types, with `Gen(i)` for the type's parameters.
    pub fields: Vec<(Option<String>, Type)>,
    /// For each field, the field of the same value whose address it is
    /// written `{…}` under: only a transaction signed by that address may
    /// influence it (`spec/security.md`). Empty when no field has one.
    pub authority: Vec<Option<u32>>,
    /// Where it is defined.
    pub span: Span,
}
