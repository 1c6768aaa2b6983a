//! Reading the canonical encoding: one reader checks the bytes against the
//! type (every rule of the module's table) and hands what it reads to a
//! [`Sink`], which builds the interpreter's [`Value`]s or words in an
//! instance's memory.

use std::rc::Rc;
use std::vec::Drain;

use min_interp::{Data, Value};
use min_metadata::TypeDesc;

use super::{CANONICAL_NAN_BITS, DecodeError, Limits, type_name};
use crate::schema::{DataType, Schema, Scope};

/// What reading a value builds, bottom up: each call gets the parts of one
/// value, already built.
pub(crate) trait Sink<'s> {
    /// What a value becomes.
    type Item;
    /// A natural.
    fn nat(&mut self, n: u128) -> Self::Item;
    /// An integer.
    fn int(&mut self, i: i128) -> Self::Item;
    /// A real, a NaN only as the canonical one.
    fn real(&mut self, x: f64) -> Self::Item;
    /// A boolean.
    fn bool(&mut self, b: bool) -> Self::Item;
    /// A character.
    fn char(&mut self, c: char) -> Self::Item;
    /// A string.
    fn string(&mut self, text: &str) -> Result<Self::Item, String>;
    /// A list of `items`, in order.
    fn list(&mut self, items: Drain<'_, Self::Item>) -> Self::Item;
    /// A tuple of `components`: `()` for none, the component itself for one.
    fn tuple(&mut self, components: Drain<'_, Self::Item>) -> Result<Self::Item, String>;
    /// The constructor of tag `tag` of `data_type`, with its `fields`.
    fn data(
        &mut self,
        data_type: &'s DataType,
        tag: usize,
        fields: Drain<'_, Self::Item>,
    ) -> Result<Self::Item, String>;
}

/// Builds the interpreter's values, borrowing constructors from the schema.
pub(crate) struct Values;

impl<'s> Sink<'s> for Values {
    type Item = Value<'s>;

    fn nat(&mut self, n: u128) -> Value<'s> {
        Value::Nat(n)
    }

    fn int(&mut self, i: i128) -> Value<'s> {
        Value::Int(i)
    }

    fn real(&mut self, x: f64) -> Value<'s> {
        Value::Real(x)
    }

    fn bool(&mut self, b: bool) -> Value<'s> {
        Value::Bool(b)
    }

    fn char(&mut self, c: char) -> Value<'s> {
        Value::Char(c)
    }

    fn string(&mut self, text: &str) -> Result<Value<'s>, String> {
        Ok(Value::Str(Rc::from(text)))
    }

    fn list(&mut self, items: Drain<'_, Value<'s>>) -> Value<'s> {
        items.rev().fold(Value::Nil, |tail, head| Value::cons(head, tail))
    }

    fn tuple(&mut self, components: Drain<'_, Value<'s>>) -> Result<Value<'s>, String> {
        Ok(Value::tuple(components.collect()))
    }

    fn data(&mut self, data_type: &'s DataType, tag: usize, fields: Drain<'_, Value<'s>>) -> Result<Value<'s>, String> {
        let (constructor, _) = &data_type.variants[tag];
        Ok(Value::Data(Rc::new(Data { constructor, fields: fields.collect() })))
    }
}

/// What `bytes` encode as a value of type `ty` (whose data type is
/// `known`, when the caller has it at hand), all of them, built by `sink`;
/// `parts` (left empty) holds the parts of compound values while they are
/// read.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read<'s, S: Sink<'s>>(
    bytes: &[u8],
    ty: &TypeDesc,
    known: Option<&'s DataType>,
    schema: &'s Schema,
    limits: &Limits,
    sink: &mut S,
    parts: &mut Vec<S::Item>,
) -> Result<S::Item, DecodeError> {
    within_limit(bytes, limits)?;
    parts.clear();
    let mut reader = Reader { schema, limits, bytes, at: 0, items: 0, sink, parts };
    let item = reader.value(ty, known, &Scope::TOP, 0)?;
    reader.at_end()?;
    Ok(item)
}

/// Builds nothing: the bytes are only checked.
struct Checked;

impl<'s> Sink<'s> for Checked {
    type Item = ();

    fn nat(&mut self, _: u128) {}

    fn int(&mut self, _: i128) {}

    fn real(&mut self, _: f64) {}

    fn bool(&mut self, _: bool) {}

    fn char(&mut self, _: char) {}

    fn string(&mut self, _: &str) -> Result<(), String> {
        Ok(())
    }

    fn list(&mut self, _: Drain<'_, ()>) {}

    fn tuple(&mut self, _: Drain<'_, ()>) -> Result<(), String> {
        Ok(())
    }

    fn data(&mut self, _: &'s DataType, _: usize, _: Drain<'_, ()>) -> Result<(), String> {
        Ok(())
    }
}

/// The encodings of the elements of the list of type `[item]` that
/// `bytes` encode (all of them), each checked as `read` checks a value,
/// without building them.
pub(crate) fn elements<'b>(
    bytes: &'b [u8],
    item: &TypeDesc,
    schema: &Schema,
    limits: &Limits,
) -> Result<Vec<&'b [u8]>, DecodeError> {
    within_limit(bytes, limits)?;
    let mut parts = Vec::new();
    let mut reader = Reader { schema, limits, bytes, at: 0, items: 1, sink: &mut Checked, parts: &mut parts };
    let count = reader.length()?;
    if count > limits.max_items {
        return Err(reader.error(format!("{count} elements, more than the limit of {}", limits.max_items)));
    }
    let mut elements = Vec::with_capacity(count.min(bytes.len()));
    for _ in 0..count {
        let start = reader.at;
        reader.value(item, None, &Scope::TOP, 1)?;
        elements.push(&bytes[start..reader.at]);
    }
    reader.at_end()?;
    Ok(elements)
}

/// Refuses `bytes` longer than `limits` allow, before reading any.
fn within_limit(bytes: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    if bytes.len() > limits.max_bytes {
        return Err(DecodeError {
            offset: limits.max_bytes,
            reason: format!("{} bytes, more than the limit of {}", bytes.len(), limits.max_bytes),
        });
    }
    Ok(())
}

struct Reader<'s, 'b, 'k, S: Sink<'s>> {
    schema: &'s Schema,
    limits: &'b Limits,
    bytes: &'b [u8],
    at: usize,
    items: usize,
    sink: &'k mut S,
    /// The parts of the compound values being read, innermost last.
    parts: &'k mut Vec<S::Item>,
}

impl<'s, 'b, S: Sink<'s>> Reader<'s, 'b, '_, S> {
    /// Reads a value of type `ty`, whose data type is `known` when the
    /// caller has it at hand (a field's).
    fn value(
        &mut self,
        ty: &TypeDesc,
        known: Option<&'s DataType>,
        scope: &Scope<'_>,
        depth: usize,
    ) -> Result<S::Item, DecodeError> {
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
            TypeDesc::Nat => {
                let n = self.leb()?;
                Ok(self.sink.nat(n))
            }
            TypeDesc::Int => {
                let n = self.leb()?;
                Ok(self.sink.int(unzigzag(n)))
            }
            TypeDesc::Real => {
                let bytes = self.take(8)?;
                let bits = u64::from_le_bytes(bytes.try_into().map_err(|_| self.error("a real takes 8 bytes"))?);
                let x = f64::from_bits(bits);
                if x.is_nan() && bits != CANONICAL_NAN_BITS {
                    self.at -= 8;
                    return Err(self.error(format!("the NaN {bits:#018x} is not the canonical one")));
                }
                Ok(self.sink.real(x))
            }
            TypeDesc::Bool => match self.take(1)? {
                [0] => Ok(self.sink.bool(false)),
                [1] => Ok(self.sink.bool(true)),
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
                    Some(c) => Ok(self.sink.char(c)),
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
                    Ok(text) => self.sink.string(text).map_err(|reason| self.error(reason)),
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
                let first = self.parts.len();
                self.parts.reserve(count.min(self.bytes.len() - self.at + 1));
                for _ in 0..count {
                    let element = self.value(item, None, scope, depth + 1)?;
                    self.parts.push(element);
                }
                Ok(self.sink.list(self.parts.drain(first..)))
            }
            TypeDesc::Tuple(items) => {
                let first = self.parts.len();
                for item in items {
                    let component = self.value(item, None, scope, depth + 1)?;
                    self.parts.push(component);
                }
                self.sink.tuple(self.parts.drain(first..)).map_err(|reason| self.error(reason))
            }
            TypeDesc::Data { name, args } => {
                let Some(data_type) = known.or_else(|| self.schema.get(name)) else {
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
                let Some((_, fields)) = data_type.variants.get(tag) else {
                    return Err(self.error(format!("{} has no values", type_name(ty))));
                };
                let inner = scope.inner(args);
                let first = self.parts.len();
                for (index, field) in fields.iter().enumerate() {
                    let known = data_type.field_type(self.schema, tag, index);
                    let value = self.value(field, known, &inner, depth + 1)?;
                    self.parts.push(value);
                }
                self.sink.data(data_type, tag, self.parts.drain(first..)).map_err(|reason| self.error(reason))
            }
            TypeDesc::Param(_) | TypeDesc::Opaque(_) => {
                Err(self.error(format!("values of type {} are not data", type_name(ty))))
            }
        }
    }

    /// Refuses bytes left after the value read.
    fn at_end(&self) -> Result<(), DecodeError> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            left => Err(self.error(format!("{left} bytes follow the value"))),
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

fn unzigzag(n: u128) -> i128 {
    ((n >> 1) as i128) ^ -((n & 1) as i128)
}
