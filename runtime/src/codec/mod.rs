//! The canonical binary encoding of Min values, for object data on the
//! chain (`spec/gas.md` states it; `spec/contracts.md` says where it is
//! used). A value is encoded against its type, so the bytes carry no type
//! information:
//!
//! | type | bytes |
//! |---|---|
//! | `ℕ` | unsigned LEB128, shortest form |
//! | `ℤ` | zigzag, then unsigned LEB128, shortest form |
//! | `ℝ` | the 8 bytes of the IEEE binary64, little-endian; NaN only as the canonical NaN |
//! | `Bool` | one byte, 0 or 1 |
//! | `Char` | the scalar value, unsigned LEB128, shortest form |
//! | `S` | the byte length, then UTF-8 |
//! | `[T]` | the number of elements, then each element |
//! | `(A, B, …)` | each component in order (`()` is no bytes) |
//! | a data type | the constructor's tag if the type has more than one, then each field |
//!
//! Every value has exactly one encoding: the decoder rejects longer LEB128
//! forms, other NaNs, other booleans, invalid UTF-8 and trailing bytes. It
//! checks each length against what is left and against its [`Limits`]
//! before allocating, and never panics.

use std::fmt;

use min_interp::Value;
use min_metadata::TypeDesc;

use crate::schema::{Schema, Scope};

mod read;
mod words;

pub(crate) use read::elements;
pub(crate) use words::{ArgumentImage, write_elements, write_result};

/// The canonical NaN, the only NaN the encoding holds.
pub(crate) const CANONICAL_NAN_BITS: u64 = 0x7ff8_0000_0000_0000;
/// The most characters of a value that an error message shows.
const SHOWN_CHARS_MAX: usize = 80;

/// Bounds on a value the codec reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes of an encoding.
    pub max_bytes: usize,
    /// How deeply data values, tuples and lists may nest.
    pub max_depth: usize,
    /// The most values (every number, string, element, component and
    /// field counts one) in one encoding.
    pub max_items: usize,
}

impl Default for Limits {
    /// 1 MiB, nesting 64 deep, a million values.
    fn default() -> Limits {
        Limits { max_bytes: 1 << 20, max_depth: 64, max_items: 1 << 20 }
    }
}

/// Why a value cannot be encoded as its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The value is not of the type.
    NotOfType {
        /// What does not match, with the value printed.
        reason: String,
    },
    /// The encoding would pass [`Limits::max_bytes`] or
    /// [`Limits::max_items`].
    TooLarge {
        /// The byte limit.
        limit: usize,
    },
    /// The value nests deeper than [`Limits::max_depth`].
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::NotOfType { reason } => f.write_str(reason),
            EncodeError::TooLarge { limit } => write!(f, "the value's encoding passes the limit of {limit} bytes"),
            EncodeError::TooDeep { limit } => write!(f, "the value nests deeper than {limit}"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Why bytes are not the canonical encoding of a value of the type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The offset of the byte where decoding stopped.
    pub offset: usize,
    /// What is wrong there.
    pub reason: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for DecodeError {}

/// The canonical encoding of `value` as a value of `ty`, whose data types
/// `schema` describes.
pub fn encode_value(
    value: &Value<'_>,
    ty: &TypeDesc,
    schema: &Schema,
    limits: &Limits,
) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder { schema, limits, bytes: Some(Vec::with_capacity(64)), len: 0, items: 0 };
    encoder.value(value, ty, &Scope::TOP, 0)?;
    Ok(encoder.bytes.unwrap_or_default())
}

/// The length of [`encode_value`]'s encoding, or its error, without
/// writing the bytes.
pub(crate) fn encoded_len(
    value: &Value<'_>,
    ty: &TypeDesc,
    schema: &Schema,
    limits: &Limits,
) -> Result<usize, EncodeError> {
    let mut encoder = Encoder { schema, limits, bytes: None, len: 0, items: 0 };
    encoder.value(value, ty, &Scope::TOP, 0)?;
    Ok(encoder.len)
}

/// The value of type `ty` that `bytes` encode, all of them; its data values
/// borrow their constructors from `schema`.
pub fn decode_value<'s>(
    bytes: &[u8],
    ty: &TypeDesc,
    schema: &'s Schema,
    limits: &Limits,
) -> Result<Value<'s>, DecodeError> {
    read::read(bytes, ty, None, schema, limits, &mut read::Values, &mut Vec::new())
}

/// A value printed for a message, shortened.
pub(crate) fn shown(value: &Value<'_>) -> String {
    let text = value.to_string();
    match text.char_indices().nth(SHOWN_CHARS_MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// A type for a message.
pub(crate) fn type_name(ty: &TypeDesc) -> String {
    match ty {
        TypeDesc::Nat => "ℕ".into(),
        TypeDesc::Int => "ℤ".into(),
        TypeDesc::Real => "ℝ".into(),
        TypeDesc::Bool => "Bool".into(),
        TypeDesc::Char => "Char".into(),
        TypeDesc::Str => "S".into(),
        TypeDesc::List(item) => format!("[{}]", type_name(item)),
        TypeDesc::Tuple(items) => format!("({})", items.iter().map(type_name).collect::<Vec<_>>().join(", ")),
        TypeDesc::Data { name, args } if args.is_empty() => short(name).to_string(),
        TypeDesc::Data { name, args } => {
            format!("{} {}", short(name), args.iter().map(type_name).collect::<Vec<_>>().join(" "))
        }
        TypeDesc::Param(index) => format!("parameter {index}"),
        TypeDesc::Opaque(shown) => shown.clone(),
    }
}

fn short(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(_, short)| short)
}

struct Encoder<'a> {
    schema: &'a Schema,
    limits: &'a Limits,
    /// The encoding so far, unless only its length is wanted.
    bytes: Option<Vec<u8>>,
    /// The encoding's length so far.
    len: usize,
    items: usize,
}

impl Encoder<'_> {
    fn value(&mut self, value: &Value<'_>, ty: &TypeDesc, scope: &Scope<'_>, depth: usize) -> Result<(), EncodeError> {
        if depth > self.limits.max_depth {
            return Err(EncodeError::TooDeep { limit: self.limits.max_depth });
        }
        self.count()?;
        let Some((ty, scope)) = scope.resolve(ty) else {
            return Err(not_of_type(value, ty));
        };
        match (ty, value) {
            (TypeDesc::Nat, Value::Nat(n)) => self.leb(*n),
            (TypeDesc::Int, Value::Int(i)) => self.leb(zigzag(*i)),
            (TypeDesc::Real, Value::Real(x)) => {
                let bits = if x.is_nan() { CANONICAL_NAN_BITS } else { x.to_bits() };
                self.put(&bits.to_le_bytes())
            }
            (TypeDesc::Bool, Value::Bool(b)) => self.put(&[u8::from(*b)]),
            (TypeDesc::Char, Value::Char(c)) => self.leb(u128::from(u32::from(*c))),
            (TypeDesc::Str, Value::Str(text)) => {
                self.leb(text.len() as u128)?;
                self.put(text.as_bytes())
            }
            (TypeDesc::List(item), Value::Nil | Value::Cons(_)) => {
                let mut count = 0u128;
                let mut rest = value;
                while let Value::Cons(pair) = rest {
                    count += 1;
                    rest = &pair.tail;
                }
                if !matches!(rest, Value::Nil) {
                    return Err(not_of_type(value, ty));
                }
                self.leb(count)?;
                let mut rest = value;
                while let Value::Cons(pair) = rest {
                    self.value(&pair.head, item, scope, depth + 1)?;
                    rest = &pair.tail;
                }
                Ok(())
            }
            (TypeDesc::Tuple(items), _) => match (items.as_slice(), value) {
                ([], Value::Unit) => Ok(()),
                ([only], _) => self.value(value, only, scope, depth + 1),
                (items, Value::Tuple(components)) if items.len() == components.len() && items.len() > 1 => {
                    for (component, item) in components.iter().zip(items) {
                        self.value(component, item, scope, depth + 1)?;
                    }
                    Ok(())
                }
                _ => Err(not_of_type(value, ty)),
            },
            (TypeDesc::Data { name, args }, Value::Data(data)) => {
                let data_type = self.schema.get(name).ok_or_else(|| not_of_type(value, ty))?;
                let Some((constructor, fields)) = data_type.variants.get(data.constructor.tag as usize) else {
                    return Err(not_of_type(value, ty));
                };
                if constructor.name != data.constructor.name || fields.len() != data.fields.len() {
                    return Err(not_of_type(value, ty));
                }
                if data_type.variants.len() > 1 {
                    self.leb(u128::from(constructor.tag))?;
                }
                let inner = scope.inner(args);
                for (field, field_ty) in data.fields.iter().zip(fields) {
                    self.value(field, field_ty, &inner, depth + 1)?;
                }
                Ok(())
            }
            _ => Err(not_of_type(value, ty)),
        }
    }

    fn count(&mut self) -> Result<(), EncodeError> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(EncodeError::TooLarge { limit: self.limits.max_bytes });
        }
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        if self.len + bytes.len() > self.limits.max_bytes {
            return Err(EncodeError::TooLarge { limit: self.limits.max_bytes });
        }
        self.len += bytes.len();
        if let Some(encoding) = &mut self.bytes {
            encoding.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn leb(&mut self, n: u128) -> Result<(), EncodeError> {
        let mut buffer = [0u8; LEB128_BYTES_MAX];
        let len = leb128(n, &mut buffer);
        self.put(&buffer[..len])
    }
}

/// The most bytes a 128-bit number takes in LEB128.
pub(crate) const LEB128_BYTES_MAX: usize = 19;

/// Writes `n` in unsigned LEB128, shortest form, into `buffer`: how many
/// bytes it took.
pub(crate) fn leb128(mut n: u128, buffer: &mut [u8; LEB128_BYTES_MAX]) -> usize {
    let mut len = 0;
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            buffer[len] = low;
            return len + 1;
        }
        buffer[len] = low | 0x80;
        len += 1;
    }
}

fn not_of_type(value: &Value<'_>, ty: &TypeDesc) -> EncodeError {
    EncodeError::NotOfType { reason: format!("{} is not a value of type {}", shown(value), type_name(ty)) }
}

pub(crate) fn zigzag(i: i128) -> u128 {
    ((i << 1) ^ (i >> 127)) as u128
}

#[cfg(test)]
mod tests {
    use min_metadata::{DataTypeInfo, VariantInfo};

    use super::*;

    fn schema() -> Schema {
        let maybe = DataTypeInfo {
            name: "m.Maybe".into(),
            params: 1,
            record: false,
            variants: vec![
                VariantInfo { name: "None".into(), field_names: vec![], fields: vec![] },
                VariantInfo { name: "Some".into(), field_names: vec![], fields: vec![TypeDesc::Param(0)] },
            ],
        };
        Schema::new(&[maybe]).unwrap()
    }

    fn maybe(arg: TypeDesc) -> TypeDesc {
        TypeDesc::Data { name: "m.Maybe".into(), args: vec![arg] }
    }

    fn round_trip(value: &Value<'_>, ty: &TypeDesc, schema: &Schema) -> Vec<u8> {
        let bytes = encode_value(value, ty, schema, &Limits::default()).unwrap();
        let back = decode_value(&bytes, ty, schema, &Limits::default()).unwrap();
        assert_eq!(back.to_string(), value.to_string());
        assert_eq!(encode_value(&back, ty, schema, &Limits::default()).unwrap(), bytes);
        bytes
    }

    #[test]
    fn numbers_take_their_shortest_form() {
        let schema = Schema::default();
        assert_eq!(round_trip(&Value::Nat(0), &TypeDesc::Nat, &schema), [0]);
        assert_eq!(round_trip(&Value::Nat(300), &TypeDesc::Nat, &schema), [0xac, 0x02]);
        assert_eq!(round_trip(&Value::Nat(u128::MAX), &TypeDesc::Nat, &schema).len(), 19);
        assert_eq!(round_trip(&Value::Int(-1), &TypeDesc::Int, &schema), [1]);
        round_trip(&Value::Int(i128::MIN), &TypeDesc::Int, &schema);
        round_trip(&Value::Int(i128::MAX), &TypeDesc::Int, &schema);
        let limits = Limits::default();
        let error = decode_value(&[0x80, 0x00], &TypeDesc::Nat, &schema, &limits).unwrap_err();
        assert_eq!(error.reason, "the number is not in its shortest form");
        let too_big = [0xff; 18].into_iter().chain([0x7f]).collect::<Vec<_>>();
        assert!(decode_value(&too_big, &TypeDesc::Nat, &schema, &limits).is_err());
        assert_eq!(
            decode_value(&[1, 2], &TypeDesc::Nat, &schema, &limits).unwrap_err().reason,
            "1 bytes follow the value"
        );
    }

    #[test]
    fn reals_strings_and_booleans_have_one_encoding() {
        let schema = Schema::default();
        let limits = Limits::default();
        round_trip(&Value::Real(-0.0), &TypeDesc::Real, &schema);
        let nan = encode_value(&Value::Real(f64::from_bits(0x7ff8_0000_0000_0001)), &TypeDesc::Real, &schema, &limits);
        assert_eq!(nan.unwrap(), CANONICAL_NAN_BITS.to_le_bytes());
        let other_nan = 0x7ff8_0000_0000_0001u64.to_le_bytes();
        assert!(decode_value(&other_nan, &TypeDesc::Real, &schema, &limits).is_err());
        assert_eq!(round_trip(&Value::string("σ"), &TypeDesc::Str, &schema), [2, 0xcf, 0x83]);
        assert!(decode_value(&[1, 0xff], &TypeDesc::Str, &schema, &limits).is_err());
        assert!(decode_value(&[2], &TypeDesc::Bool, &schema, &limits).is_err());
        assert!(decode_value(&[0x80, 0x80, 0x44], &TypeDesc::Char, &schema, &limits).is_err());
    }

    #[test]
    fn data_lists_and_tuples_follow_their_types() {
        let schema = schema();
        let (none, some) =
            (schema.constructors("m.Maybe").next().unwrap(), schema.constructors("m.Maybe").nth(1).unwrap());
        let ty = TypeDesc::List(Box::new(TypeDesc::Tuple(vec![maybe(TypeDesc::Nat), TypeDesc::Bool])));
        let value = Value::list(vec![
            Value::tuple(vec![Value::data(some, vec![Value::Nat(5)]), Value::Bool(true)]),
            Value::tuple(vec![Value::data(none, vec![]), Value::Bool(false)]),
        ]);
        assert_eq!(round_trip(&value, &ty, &schema), [2, 1, 5, 1, 0, 0]);
        let error = encode_value(&Value::Nat(1), &maybe(TypeDesc::Nat), &schema, &Limits::default()).unwrap_err();
        assert_eq!(error.to_string(), "1 is not a value of type Maybe ℕ");
        let wrong_field = Value::data(some, vec![Value::Bool(true)]);
        assert!(encode_value(&wrong_field, &maybe(TypeDesc::Nat), &schema, &Limits::default()).is_err());
        assert!(decode_value(&[2, 0], &maybe(TypeDesc::Nat), &schema, &Limits::default()).is_err());
    }

    #[test]
    fn limits_are_checked_before_allocating() {
        let schema = schema();
        let limits = Limits { max_bytes: 64, max_depth: 3, max_items: 10 };
        let list = TypeDesc::List(Box::new(TypeDesc::Tuple(vec![])));
        assert!(decode_value(&[0xff, 0xff, 0xff, 0xff, 0x0f], &list, &schema, &limits).is_err());
        assert!(decode_value(&[11], &list, &schema, &limits).is_err());
        let deep = maybe(maybe(maybe(maybe(TypeDesc::Nat))));
        assert!(decode_value(&[1, 1, 1, 1, 0], &deep, &schema, &limits).is_err());
        assert!(decode_value(&[0xff, 0xff, 0xff, 0xff, 0x0f], &TypeDesc::Str, &schema, &limits).is_err());
        let long = Value::string(&"x".repeat(100));
        assert_eq!(encode_value(&long, &TypeDesc::Str, &schema, &limits), Err(EncodeError::TooLarge { limit: 64 }));
    }
}
