//! The data types a contract's values are made of, from its metadata: each
//! type's constructors (as the interpreter's values name them) and its
//! fields' types, checked once so that the codec can trust them.

use rustc_hash::FxHashMap as HashMap;

use min_core::Constructor;
use min_metadata::{DataTypeInfo, TypeDesc};

/// The most type parameters a data type may have.
const PARAMS_MAX: u32 = 64;

/// The data types of a contract, by qualified name.
#[derive(Debug, Default)]
pub struct Schema {
    types: Vec<DataType>,
    by_name: HashMap<String, usize>,
}

/// One data type.
#[derive(Debug)]
pub(crate) struct DataType {
    /// Its qualified name.
    pub name: String,
    /// How many type parameters it has.
    pub params: u32,
    /// Its constructors in tag order, each with its fields' types.
    pub variants: Vec<(Constructor, Vec<TypeDesc>)>,
    /// The id of each constructor (in tag order) in the compiled program,
    /// where [`Schema::identify`] found one.
    pub ids: Vec<Option<u32>>,
    /// For each constructor (in tag order), each field's data type when its
    /// type is one (by its index in the schema): found once, so that the
    /// codec does not look fields' types up by name.
    field_types: Vec<Vec<Option<usize>>>,
}

impl DataType {
    /// The data type of the field `index` of the constructor of tag `tag`,
    /// when the field's type is a data type.
    pub(crate) fn field_type<'s>(&self, schema: &'s Schema, tag: usize, index: usize) -> Option<&'s DataType> {
        schema.at(self.field_types.get(tag)?.get(index).copied().flatten())
    }
}

impl Schema {
    /// The schema of `data_types`; fails, with the reason, when a name is
    /// defined twice, a field names an unknown type or gives it the wrong
    /// number of arguments, or a parameter index is out of range.
    pub fn new(data_types: &[DataTypeInfo]) -> Result<Schema, String> {
        let mut schema = Schema::default();
        for info in data_types {
            if info.params > PARAMS_MAX {
                return Err(format!(
                    "the data type {} has {} parameters, more than {PARAMS_MAX}",
                    info.name, info.params
                ));
            }
            if schema.by_name.insert(info.name.clone(), schema.types.len()).is_some() {
                return Err(format!("the data type {} is described twice", info.name));
            }
            let mut variants = Vec::with_capacity(info.variants.len());
            for (tag, variant) in info.variants.iter().enumerate() {
                let named = !variant.field_names.is_empty();
                if named && variant.field_names.len() != variant.fields.len() {
                    return Err(format!(
                        "the constructor {} of {} names {} fields but has {}",
                        variant.name,
                        info.name,
                        variant.field_names.len(),
                        variant.fields.len()
                    ));
                }
                let (Ok(tag), Ok(arity)) = (u32::try_from(tag), u32::try_from(variant.fields.len())) else {
                    return Err(format!("the data type {} is too large", info.name));
                };
                let constructor = Constructor {
                    name: variant.name.clone(),
                    tag,
                    arity,
                    fields: variant.field_names.clone(),
                    record: info.record,
                };
                variants.push((constructor, variant.fields.clone()));
            }
            let ids = vec![None; variants.len()];
            schema.types.push(DataType {
                name: info.name.clone(),
                params: info.params,
                variants,
                ids,
                field_types: Vec::new(),
            });
        }
        for data_type in &schema.types {
            for (constructor, fields) in &data_type.variants {
                for field in fields {
                    schema.check(field, data_type.params).map_err(|reason| {
                        format!("the field of {} in {}: {reason}", constructor.name, data_type.name)
                    })?;
                }
            }
        }
        let field_types: Vec<Vec<Vec<Option<usize>>>> = schema
            .types
            .iter()
            .map(|data_type| {
                let data_index = |field| schema.index_of(field);
                data_type.variants.iter().map(|(_, fields)| fields.iter().map(data_index).collect()).collect()
            })
            .collect();
        for (data_type, field_types) in schema.types.iter_mut().zip(field_types) {
            data_type.field_types = field_types;
        }
        Ok(schema)
    }

    /// Checks that `ty` names only known data types with their number of
    /// arguments, and only parameters below `params`.
    pub fn check(&self, ty: &TypeDesc, params: u32) -> Result<(), String> {
        let mut pending = vec![ty];
        while let Some(ty) = pending.pop() {
            match ty {
                TypeDesc::Nat
                | TypeDesc::Int
                | TypeDesc::Real
                | TypeDesc::Bool
                | TypeDesc::Char
                | TypeDesc::Str
                | TypeDesc::Opaque(_) => {}
                TypeDesc::List(item) => pending.push(item),
                TypeDesc::Tuple(items) => pending.extend(items),
                TypeDesc::Param(index) if *index < params => {}
                TypeDesc::Param(index) => return Err(format!("type parameter {index} is not bound here")),
                TypeDesc::Data { name, args } => {
                    let data_type = self.get(name).ok_or_else(|| format!("no data type {name} is described"))?;
                    if args.len() != data_type.params as usize {
                        return Err(format!(
                            "{name} takes {} type arguments but is given {}",
                            data_type.params,
                            args.len()
                        ));
                    }
                    pending.extend(args);
                }
            }
        }
        Ok(())
    }

    /// Records the id `id_of` gives each constructor in the compiled
    /// program, for building values in its memory.
    pub(crate) fn identify(&mut self, id_of: impl Fn(&Constructor) -> Option<u32>) {
        for data_type in &mut self.types {
            data_type.ids = data_type.variants.iter().map(|(constructor, _)| id_of(constructor)).collect();
        }
    }

    /// The index of the data type that `ty` is, when it is one, to find it
    /// again with [`Schema::at`] without looking its name up.
    pub(crate) fn index_of(&self, ty: &TypeDesc) -> Option<usize> {
        match ty {
            TypeDesc::Data { name, .. } => self.by_name.get(name).copied(),
            _ => None,
        }
    }

    /// The data type of index `index` ([`Schema::index_of`]), if there is
    /// one (`None` for a type that is not a data type).
    pub(crate) fn at(&self, index: Option<usize>) -> Option<&DataType> {
        self.types.get(index?)
    }

    /// The data type of qualified name `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&DataType> {
        self.by_name.get(name).map(|&index| &self.types[index])
    }

    /// The constructors of the data type of qualified name `name`, in tag
    /// order, to build its values with (none for an unknown name).
    pub fn constructors(&self, name: &str) -> impl Iterator<Item = &Constructor> {
        self.get(name).into_iter().flat_map(|data_type| data_type.variants.iter().map(|(constructor, _)| constructor))
    }
}

/// The type parameters in scope while walking a value: the arguments of
/// the data type whose fields are being walked, themselves relative to the
/// scope outside it.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    args: &'a [TypeDesc],
    outer: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    /// The scope outside every data type: no parameters.
    pub const TOP: Scope<'static> = Scope { args: &[], outer: None };

    /// The scope of a data type's fields, given its arguments in `self`.
    pub fn inner(&'a self, args: &'a [TypeDesc]) -> Scope<'a> {
        Scope { args, outer: Some(self) }
    }

    /// `ty` with a leading parameter replaced by its argument, and the scope
    /// that argument is relative to; `None` for an unbound parameter.
    pub fn resolve(&'a self, mut ty: &'a TypeDesc) -> Option<(&'a TypeDesc, &'a Scope<'a>)> {
        let mut scope = self;
        while let TypeDesc::Param(index) = ty {
            ty = scope.args.get(*index as usize)?;
            scope = scope.outer?;
        }
        Some((ty, scope))
    }
}
