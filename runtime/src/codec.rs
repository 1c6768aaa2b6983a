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
use std::rc::Rc;

use min_interp::{Data, Value};
use min_metadata::TypeDesc;

use crate::schema::{Schema, Scope};

/// The canonical NaN, the only NaN the encoding holds.
const CANONICAL_NAN_BITS: u64 = 0x7ff8_0000_0000_0000;
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
    if bytes.len() > limits.max_bytes {
        return Err(DecodeError {
            offset: limits.max_bytes,
            reason: format!("{} bytes, more than the limit of {}", bytes.len(), limits.max_bytes),
        });
    }
    let mut decoder = Decoder { schema, limits, bytes, at: 0, items: 0 };
    let value = decoder.value(ty, &Scope::TOP, 0)?;
    if decoder.at != bytes.len() {
        return Err(decoder.error(format!("{} bytes follow the value", bytes.len() - decoder.at)));
    }
    Ok(value)
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

    fn leb(&mut self, mut n: u128) -> Result<(), EncodeError> {
        let mut buffer = [0u8; 19];
        let mut len = 0;
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                buffer[len] = low;
                len += 1;
                break;
            }
            buffer[len] = low | 0x80;
            len += 1;
        }
        self.put(&buffer[..len])
    }
}

fn not_of_type(value: &Value<'_>, ty: &TypeDesc) -> EncodeError {
    EncodeError::NotOfType { reason: format!("{} is not a value of type {}", shown(value), type_name(ty)) }
}

fn zigzag(i: i128) -> u128 {
    ((i << 1) ^ (i >> 127)) as u128
}

fn unzigzag(n: u128) -> i128 {
    ((n >> 1) as i128) ^ -((n & 1) as i128)
}

struct Decoder<'s, 'b> {
    schema: &'s Schema,
    limits: &'b Limits,
    bytes: &'b [u8],
    at: usize,
    items: usize,
}

impl<'s, 'b> Decoder<'s, 'b> {
    fn value(&mut self, ty: &TypeDesc, scope: &Scope<'_>, depth: usize) -> Result<Value<'s>, DecodeError> {
        if depth > self.limits.max_depth {
            return Err(self.error(format!("the value nests deeper than {}", self.limits.max_depth)));
        }
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(self.error(format!("more than {} values", self.limits.max_items)));
        }
        let Some((ty, scope)) = scope.resolve(ty) else {
            return Err(self.error(format!("the type {} is not bound", type_name(ty))));
        };
        match ty {
            TypeDesc::Nat => Ok(Value::Nat(self.leb()?)),
            TypeDesc::Int => Ok(Value::Int(unzigzag(self.leb()?))),
            TypeDesc::Real => {
                let bytes = self.take(8)?;
                let bits = u64::from_le_bytes(bytes.try_into().map_err(|_| self.error("a real takes 8 bytes"))?);
                let x = f64::from_bits(bits);
                if x.is_nan() && bits != CANONICAL_NAN_BITS {
                    self.at -= 8;
                    return Err(self.error(format!("the NaN {bits:#018x} is not the canonical one")));
                }
                Ok(Value::Real(x))
            }
            TypeDesc::Bool => match self.take(1)? {
                [0] => Ok(Value::Bool(false)),
                [1] => Ok(Value::Bool(true)),
                [other] => {
                    let other = *other;
                    self.at -= 1;
                    Err(self.error(format!("{other} is not a boolean")))
                }
                _ => Err(self.error("a boolean takes 1 byte")),
            },
            TypeDesc::Char => {
                let start = self.at;
                let code = self.leb()?;
                match u32::try_from(code).ok().and_then(char::from_u32) {
                    Some(c) => Ok(Value::Char(c)),
                    None => {
                        self.at = start;
                        Err(self.error(format!("{code:#x} is not a Unicode scalar value")))
                    }
                }
            }
            TypeDesc::Str => {
                let len = self.length()?;
                let start = self.at;
                let bytes = self.take(len)?;
                match std::str::from_utf8(bytes) {
                    Ok(text) => Ok(Value::Str(Rc::from(text))),
                    Err(error) => {
                        self.at = start + error.valid_up_to();
                        Err(self.error("the string is not UTF-8"))
                    }
                }
            }
            TypeDesc::List(item) => {
                let count = self.length()?;
                if count > self.limits.max_items.saturating_sub(self.items) {
                    return Err(
                        self.error(format!("{count} elements, more than the limit of {}", self.limits.max_items))
                    );
                }
                let mut items = Vec::with_capacity(count.min(self.bytes.len() - self.at + 1));
                for _ in 0..count {
                    items.push(self.value(item, scope, depth + 1)?);
                }
                Ok(Value::list(items))
            }
            TypeDesc::Tuple(items) => {
                let mut components = Vec::with_capacity(items.len());
                for item in items {
                    components.push(self.value(item, scope, depth + 1)?);
                }
                Ok(Value::tuple(components))
            }
            TypeDesc::Data { name, args } => {
                let Some(data_type) = self.schema.get(name) else {
                    return Err(self.error(format!("no data type {name} is described")));
                };
                let tag = if data_type.variants.len() > 1 {
                    let start = self.at;
                    let tag = self.leb()?;
                    if tag >= data_type.variants.len() as u128 {
                        self.at = start;
                        return Err(self.error(format!("{tag} is not a constructor of {}", type_name(ty))));
                    }
                    tag as usize
                } else {
                    0
                };
                let Some((constructor, fields)) = data_type.variants.get(tag) else {
                    return Err(self.error(format!("{} has no values", type_name(ty))));
                };
                let inner = scope.inner(args);
                let mut values = Vec::with_capacity(fields.len());
                for field in fields {
                    values.push(self.value(field, &inner, depth + 1)?);
                }
                Ok(Value::Data(Rc::new(Data { constructor, fields: values })))
            }
            TypeDesc::Param(_) | TypeDesc::Opaque(_) => {
                Err(self.error(format!("values of type {} are not data", type_name(ty))))
            }
        }
    }

    fn error(&self, reason: impl Into<String>) -> DecodeError {
        DecodeError { offset: self.at, reason: reason.into() }
    }

    fn take(&mut self, len: usize) -> Result<&'b [u8], DecodeError> {
        let left = self.bytes.len() - self.at;
        if len > left {
            return Err(self.error(format!("{len} bytes needed, {left} left")));
        }
        let all: &'b [u8] = self.bytes;
        let bytes = &all[self.at..self.at + len];
        self.at += len;
        Ok(bytes)
    }

    /// A length or count: at most what the limits allow.
    fn length(&mut self) -> Result<usize, DecodeError> {
        let start = self.at;
        let len = self.leb()?;
        match usize::try_from(len) {
            Ok(len) if len <= self.limits.max_bytes.max(self.limits.max_items) => Ok(len),
            _ => {
                self.at = start;
                Err(self.error(format!("the length {len} passes the limits")))
            }
        }
    }

    /// An unsigned LEB128 number in its shortest form.
    fn leb(&mut self) -> Result<u128, DecodeError> {
        let start = self.at;
        let mut n = 0u128;
        let mut shift = 0u32;
        loop {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.error("the number is cut short"));
            };
            self.at += 1;
            let low = u128::from(byte & 0x7f);
            if shift >= 128 || (shift > 0 && low >> (128 - shift) != 0) {
                self.at = start;
                return Err(self.error("the number does not fit 128 bits"));
            }
            n |= low << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    self.at = start;
                    return Err(self.error("the number is not in its shortest form"));
                }
                return Ok(n);
            }
            shift += 7;
        }
    }
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
