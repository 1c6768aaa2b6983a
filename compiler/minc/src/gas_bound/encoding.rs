//! How many words of memory a value takes, bounded by the bytes of its
//! canonical encoding (`spec/gas.md`): a transaction states its arguments
//! in bytes, while the run-time library's costs count words.
//!
//! For each type the bound is `words ≤ α·bytes/8 + β`, where `words` counts
//! the value's word and, for a heap object, every word of it and of its
//! parts (a part shared twice counts twice, as the helpers that walk a
//! value do).

use super::linear::Linear;
use super::sizes::{CONS_WORDS, OBJECT_WORDS, Shape};
use min_metadata::{DataTypeInfo, TypeDesc};

/// `words ≤ alpha·bytes/8 + beta`; every value of the type takes at least
/// `min_bytes` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordsPerByte {
    /// Eighths of a word per byte of encoding (a string's bytes take an
    /// eighth of a word each).
    pub alpha: u64,
    /// Words besides.
    pub beta: u64,
    /// The fewest bytes a value of the type encodes to.
    pub min_bytes: u64,
}

/// Words of a string besides its bytes' words: its word, its header, and
/// the partly filled last word.
const STRING_WORDS: u64 = 3;

/// The bound for values of `ty`, the data types in `data_types`, or why
/// there is none (a list of values that encode to no bytes can be as long
/// as the sender likes).
pub fn words_per_byte(ty: &TypeDesc, data_types: &[DataTypeInfo]) -> Result<WordsPerByte, String> {
    Walk { data_types, active: Vec::new() }.ty(ty, &[])
}

/// How many levels of fields a parameter's [`Shape`] describes.
const SHAPE_DEPTH: u32 = 4;

/// The shape of an argument of type `ty`: its words, and those of its
/// fields when it is a tuple or a value of a data type of one constructor.
/// Each field that is not taken apart further gets a variable of its own,
/// numbered from `next`: its bytes over eight. The bytes of a value are
/// those of its fields (and a tag), so fields never count the same bytes
/// twice.
pub fn shape(ty: &TypeDesc, data_types: &[DataTypeInfo], next: &mut usize) -> Result<Shape, String> {
    shape_within(ty, data_types, SHAPE_DEPTH, next)
}

fn shape_within(ty: &TypeDesc, data_types: &[DataTypeInfo], depth: u32, next: &mut usize) -> Result<Shape, String> {
    let fields: Option<Vec<TypeDesc>> = match ty {
        TypeDesc::Tuple(items) if !items.is_empty() => Some(items.clone()),
        TypeDesc::Data { name, args } => data_types
            .iter()
            .find(|d| &d.name == name)
            .filter(|info| info.variants.len() == 1 && !info.variants[0].fields.is_empty())
            .map(|info| info.variants[0].fields.iter().map(|field| substitute(field, args)).collect()),
        _ => None,
    };
    match fields.filter(|_| depth > 0) {
        Some(fields) => {
            let parts = fields
                .iter()
                .map(|field| shape_within(field, data_types, depth - 1, next))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Shape::object(parts))
        }
        None => {
            let bound = words_per_byte(ty, data_types)?;
            let variable = *next;
            *next += 1;
            Ok(Shape::whole(Linear::of_param(variable, bound.alpha, bound.beta)))
        }
    }
}

/// `ty` with the type's parameters replaced by `args`.
fn substitute(ty: &TypeDesc, args: &[TypeDesc]) -> TypeDesc {
    match ty {
        TypeDesc::Param(index) => args.get(*index as usize).cloned().unwrap_or_else(|| ty.clone()),
        TypeDesc::List(element) => TypeDesc::List(Box::new(substitute(element, args))),
        TypeDesc::Tuple(items) => TypeDesc::Tuple(items.iter().map(|item| substitute(item, args)).collect()),
        TypeDesc::Data { name, args: inner } => {
            TypeDesc::Data { name: name.clone(), args: inner.iter().map(|arg| substitute(arg, args)).collect() }
        }
        other => other.clone(),
    }
}

struct Walk<'a> {
    data_types: &'a [DataTypeInfo],
    active: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn ty(&mut self, ty: &TypeDesc, args: &[WordsPerByte]) -> Result<WordsPerByte, String> {
        let fixed = |beta, min_bytes| Ok(WordsPerByte { alpha: 0, beta, min_bytes });
        match ty {
            // A word, or four for a number of more than 48 bits, which
            // takes at least seven bytes.
            TypeDesc::Nat | TypeDesc::Int => Ok(WordsPerByte { alpha: 4, beta: 1, min_bytes: 1 }),
            TypeDesc::Real => fixed(1, 8),
            TypeDesc::Bool | TypeDesc::Char => fixed(1, 1),
            // Eight bytes to a word, after a length of at least one byte.
            TypeDesc::Str => Ok(WordsPerByte { alpha: 1, beta: STRING_WORDS, min_bytes: 1 }),
            TypeDesc::List(element) => {
                let element = self.ty(element, args)?;
                if element.min_bytes == 0 {
                    return Err("a list of values that encode to no bytes may be longer than any bound".into());
                }
                // Each element pays for its cell with its own bytes.
                let per_cell = (8 * (CONS_WORDS + element.beta)).div_ceil(element.min_bytes);
                Ok(WordsPerByte { alpha: element.alpha + per_cell, beta: 1, min_bytes: 1 })
            }
            TypeDesc::Tuple(items) if items.is_empty() => fixed(1, 0),
            TypeDesc::Tuple(items) => {
                let items = items.iter().map(|item| self.ty(item, args)).collect::<Result<Vec<_>, _>>()?;
                Ok(object(&items))
            }
            TypeDesc::Data { name, args: type_args } => {
                let type_args = type_args.iter().map(|arg| self.ty(arg, args)).collect::<Result<Vec<_>, _>>()?;
                self.data(name, &type_args)
            }
            TypeDesc::Param(index) => {
                args.get(*index as usize).copied().ok_or_else(|| format!("type parameter {index} has no argument"))
            }
            TypeDesc::Opaque(shown) => Err(format!("a value of type {shown} has no encoding")),
        }
    }

    fn data(&mut self, name: &str, args: &[WordsPerByte]) -> Result<WordsPerByte, String> {
        let Some(info) = self.data_types.iter().find(|d| d.name == name) else {
            return Err(format!("the data type {name} is not described"));
        };
        let tag_bytes = u64::from(info.variants.len() > 1);
        if self.active.contains(&info.name.as_str()) || self.recursive(info) {
            return self.recursive_data(info, args, tag_bytes);
        }
        self.active.push(&info.name);
        let mut bound = WordsPerByte { alpha: 0, beta: 0, min_bytes: u64::MAX };
        for variant in &info.variants {
            let fields = variant.fields.iter().map(|f| self.ty(f, args)).collect::<Result<Vec<_>, _>>()?;
            let shape =
                if fields.is_empty() { WordsPerByte { alpha: 0, beta: 1, min_bytes: 0 } } else { object(&fields) };
            bound = WordsPerByte {
                alpha: bound.alpha.max(shape.alpha),
                beta: bound.beta.max(shape.beta),
                min_bytes: bound.min_bytes.min(shape.min_bytes + tag_bytes),
            };
        }
        self.active.pop();
        if info.variants.is_empty() {
            bound.min_bytes = 0;
        }
        Ok(bound)
    }

    /// A recursive data type: every node of a value pays for its words
    /// with its tag byte, so the type needs more than one constructor.
    fn recursive_data(
        &mut self,
        info: &'a DataTypeInfo,
        args: &[WordsPerByte],
        tag_bytes: u64,
    ) -> Result<WordsPerByte, String> {
        if tag_bytes == 0 {
            return Err(format!("a value of the recursive type {} may take words for no bytes", info.name));
        }
        let mut alpha = 0u64;
        let mut node_words = 1u64;
        for variant in &info.variants {
            let mut words = OBJECT_WORDS;
            for field in &variant.fields {
                if self.mentions(field, &info.name) {
                    continue;
                }
                let field = self.ty(field, args)?;
                alpha = alpha.max(field.alpha);
                words = words.saturating_add(field.beta);
            }
            node_words = node_words.max(words);
        }
        Ok(WordsPerByte { alpha: alpha.saturating_add(8 * node_words), beta: 0, min_bytes: 1 })
    }

    fn recursive(&self, info: &DataTypeInfo) -> bool {
        info.variants.iter().flat_map(|v| &v.fields).any(|field| self.mentions(field, &info.name))
    }

    /// Whether `ty` may hold a value of the data type `name`.
    fn mentions(&self, ty: &TypeDesc, name: &str) -> bool {
        let mut seen: Vec<&str> = Vec::new();
        let mut stack = vec![ty];
        while let Some(ty) = stack.pop() {
            match ty {
                TypeDesc::List(element) => stack.push(element),
                TypeDesc::Tuple(items) => stack.extend(items),
                TypeDesc::Data { name: other, args } => {
                    if other == name {
                        return true;
                    }
                    stack.extend(args);
                    if !seen.contains(&other.as_str()) {
                        seen.push(other);
                        if let Some(info) = self.data_types.iter().find(|d| &d.name == other) {
                            stack.extend(info.variants.iter().flat_map(|v| &v.fields));
                        }
                    }
                }
                _ => {}
            }
        }
        false
    }
}

/// A heap object of these fields: its own word and header, then theirs.
fn object(fields: &[WordsPerByte]) -> WordsPerByte {
    WordsPerByte {
        alpha: fields.iter().map(|f| f.alpha).max().unwrap_or(0),
        beta: fields.iter().fold(OBJECT_WORDS, |sum, f| sum.saturating_add(f.beta)),
        min_bytes: fields.iter().fold(0, |sum, f| sum.saturating_add(f.min_bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use min_metadata::VariantInfo;

    fn record(name: &str, fields: Vec<TypeDesc>) -> DataTypeInfo {
        DataTypeInfo {
            name: name.into(),
            params: 0,
            record: true,
            variants: vec![VariantInfo { name: name.into(), field_names: Vec::new(), fields }],
        }
    }

    #[test]
    fn strings_and_records_take_about_a_word_per_byte() {
        let coin = record("t.Coin", vec![TypeDesc::Str, TypeDesc::Nat]);
        let bound = words_per_byte(&TypeDesc::Data { name: "t.Coin".into(), args: vec![] }, &[coin]).unwrap();
        assert_eq!(bound, WordsPerByte { alpha: 4, beta: 2 + 3 + 1, min_bytes: 2 });
    }

    #[test]
    fn lists_pay_for_their_cells_with_their_elements_bytes() {
        let bound = words_per_byte(&TypeDesc::List(Box::new(TypeDesc::Bool)), &[]).unwrap();
        // A boolean is one byte and, in a list, a cell of four words.
        assert_eq!(bound, WordsPerByte { alpha: 32, beta: 1, min_bytes: 1 });
        let units = TypeDesc::List(Box::new(TypeDesc::Tuple(vec![])));
        assert!(words_per_byte(&units, &[]).is_err());
    }

    #[test]
    fn a_recursive_type_needs_a_tag_per_node() {
        let tree = DataTypeInfo {
            name: "t.Tree".into(),
            params: 0,
            record: false,
            variants: vec![
                VariantInfo { name: "Leaf".into(), field_names: vec![], fields: vec![TypeDesc::Nat] },
                VariantInfo {
                    name: "Node".into(),
                    field_names: vec![],
                    fields: vec![
                        TypeDesc::Data { name: "t.Tree".into(), args: vec![] },
                        TypeDesc::Data { name: "t.Tree".into(), args: vec![] },
                    ],
                },
            ],
        };
        let bound = words_per_byte(&TypeDesc::Data { name: "t.Tree".into(), args: vec![] }, &[tree]).unwrap();
        assert_eq!(bound, WordsPerByte { alpha: 4 + 8 * 3, beta: 0, min_bytes: 1 });
    }
}
