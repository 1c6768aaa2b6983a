//! The canonical encoding straight to and from words in an instance's
//! memory, with no [`min_interp::Value`] in between: a call's arguments
//! are read from their bytes into a [`min_rt::Image`] placed in the
//! arguments' region, and its result is written out to bytes word by word.
//!
//! Reading a result loads exactly the words [`min_rt::Runtime::decode`]
//! would (each object's header and components, a big number's two words, a
//! string's bytes), so it charges the same gas.

use std::vec::Drain;

use min_interp::RuntimeError;
use min_lir::abi;
use min_lir::host::Memory;
use min_metadata::TypeDesc;
use min_rt::{Image, Runtime, Shape, shape};

use super::read::{self, Sink};
use super::{CANONICAL_NAN_BITS, DecodeError, EncodeError, LEB128_BYTES_MAX, Limits, leb128, type_name, zigzag};
use crate::schema::{DataType, Schema, Scope};

/// The parts of compound values an image has room for before it grows:
/// the fields of a few nested records.
const PARTS_ROOM: usize = 16;

/// A call's arguments as words: built from their canonical bytes, then
/// placed in memory at once.
pub(crate) struct ArgumentImage {
    image: Image,
    /// The arguments' words so far, relative to the image until placed.
    words: Vec<u64>,
    /// The parts of compound values being read, kept between arguments.
    parts: Vec<u64>,
}

impl ArgumentImage {
    /// An image for `count` arguments whose encodings take about `bytes`
    /// bytes (0 when unknown: it grows as needed).
    pub(crate) fn with_capacity(count: usize, bytes: usize) -> ArgumentImage {
        let room = if bytes == 0 { 0 } else { bytes.saturating_mul(2).saturating_add(64).min(1 << 16) };
        ArgumentImage {
            image: Image::with_capacity(room),
            words: Vec::with_capacity(count),
            parts: Vec::with_capacity(PARTS_ROOM),
        }
    }

    /// Adds the argument of type `ty` (whose data type is `known`, when
    /// the caller has it at hand) that `bytes` encode (all of them).
    pub(crate) fn push(
        &mut self,
        bytes: &[u8],
        ty: &TypeDesc,
        known: Option<&DataType>,
        schema: &Schema,
        limits: &Limits,
    ) -> Result<(), DecodeError> {
        let builder = &mut Builder { image: &mut self.image };
        let word = read::read(bytes, ty, known, schema, limits, builder, &mut self.parts)?;
        self.words.push(word);
        Ok(())
    }

    /// Replaces the last `count` arguments by their tuple (`()` for none,
    /// the argument itself for one).
    pub(crate) fn bundle(&mut self, count: usize) -> Result<(), String> {
        let first = self.words.len() - count;
        let mut builder = Builder { image: &mut self.image };
        let tuple = builder.tuple(self.words.drain(first..))?;
        self.words.push(tuple);
        Ok(())
    }

    /// Places the arguments in the region whose descriptor is at `region`:
    /// their words, in order.
    pub(crate) fn place(
        mut self,
        runtime: &mut Runtime,
        memory: &mut dyn Memory,
        region: u64,
    ) -> Result<Vec<u64>, RuntimeError> {
        self.image.place(runtime, memory, region, &mut self.words).map_err(|fault| *fault)?;
        Ok(self.words)
    }
}

/// Builds words in an image.
struct Builder<'i> {
    image: &'i mut Image,
}

impl<'s> Sink<'s> for Builder<'_> {
    type Item = u64;

    fn nat(&mut self, n: u128) -> u64 {
        self.image.nat(n)
    }

    fn int(&mut self, i: i128) -> u64 {
        self.image.int(i)
    }

    fn real(&mut self, x: f64) -> u64 {
        abi::real_word(x)
    }

    fn bool(&mut self, b: bool) -> u64 {
        abi::bool_word(b)
    }

    fn char(&mut self, c: char) -> u64 {
        abi::char_word(c)
    }

    fn string(&mut self, text: &str) -> Result<u64, String> {
        self.image.string(text).map_err(|fault| fault.message)
    }

    fn list(&mut self, items: Drain<'_, u64>) -> u64 {
        self.image.list(items.as_slice())
    }

    fn tuple(&mut self, components: Drain<'_, u64>) -> Result<u64, String> {
        match components.as_slice() {
            [] => Ok(abi::UNIT),
            [only] => Ok(*only),
            many => self.image.tuple(many).map_err(|fault| fault.message),
        }
    }

    fn data(&mut self, data_type: &'s DataType, tag: usize, fields: Drain<'_, u64>) -> Result<u64, String> {
        let (constructor, _) = &data_type.variants[tag];
        let Some(id) = data_type.ids[tag] else {
            return Err(format!("the constructor {} is not one of the compiled program's", constructor.name));
        };
        self.image.data(id, constructor.tag, fields.as_slice()).map_err(|fault| fault.message)
    }
}

/// Appends to `out` the canonical encoding of the value of type `ty`
/// (whose data type is `known`, when the caller has it at hand) that `word`
/// is in `memory` (a result compiled code made). Fails when the words are
/// not a value of the type or pass `limits`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_result(
    memory: &dyn Memory,
    word: u64,
    ty: &TypeDesc,
    known: Option<&DataType>,
    schema: &Schema,
    limits: &Limits,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let mut writer = Writer { memory, schema, limits, out, start, items: 0 };
    writer.value(word, ty, known, &Scope::TOP, 0)
}

/// Appends to `out` the encoding of each element of the list of type `[item]`
/// that `word` is, each as its own byte string, and gives how many bytes
/// the list's encoding takes (its count, then its elements).
pub(crate) fn write_elements(
    memory: &dyn Memory,
    word: u64,
    item: &TypeDesc,
    schema: &Schema,
    limits: &Limits,
    out: &mut Vec<Vec<u8>>,
) -> Result<usize, EncodeError> {
    let mut bytes = 0usize;
    let mut rest = word;
    let mut items = 0usize;
    loop {
        match shape(memory, rest) {
            Shape::Nil => break,
            Shape::Cons { address } => {
                let mut element = Vec::new();
                let head = memory.load(address + 8);
                let mut writer = Writer { memory, schema, limits, out: &mut element, start: 0, items };
                writer.value(head, item, None, &Scope::TOP, 1)?;
                items = writer.items;
                bytes = bytes.saturating_add(element.len());
                if bytes > limits.max_bytes {
                    return Err(EncodeError::TooLarge { limit: limits.max_bytes });
                }
                out.push(element);
                rest = memory.load(address + 16);
            }
            _ => return Err(not_of_type(&TypeDesc::List(Box::new(item.clone())))),
        }
    }
    Ok(bytes + leb_len(out.len() as u128))
}

/// Writes one value's encoding.
struct Writer<'a> {
    memory: &'a dyn Memory,
    schema: &'a Schema,
    limits: &'a Limits,
    out: &'a mut Vec<u8>,
    /// Where the value's encoding starts in `out`.
    start: usize,
    items: usize,
}

impl<'a> Writer<'a> {
    /// Writes the value of type `ty` that `word` is, whose data type is
    /// `known` when the caller has it at hand (a field's).
    fn value(
        &mut self,
        word: u64,
        ty: &TypeDesc,
        known: Option<&'a DataType>,
        scope: &Scope<'_>,
        depth: usize,
    ) -> Result<(), EncodeError> {
        if depth > self.limits.max_depth {
            return Err(EncodeError::TooDeep { limit: self.limits.max_depth });
        }
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(EncodeError::TooLarge { limit: self.limits.max_bytes });
        }
        let Some((ty, scope)) = scope.resolve(ty) else {
            return Err(not_of_type(ty));
        };
        match (ty, shape(self.memory, word)) {
            (TypeDesc::Nat, Shape::Nat(n)) => self.leb(n),
            (TypeDesc::Int, Shape::Int(i)) => self.leb(zigzag(i)),
            (TypeDesc::Real, Shape::Real(x)) => {
                let bits = if x.is_nan() { CANONICAL_NAN_BITS } else { x.to_bits() };
                self.put(&bits.to_le_bytes())
            }
            (TypeDesc::Bool, Shape::Bool(b)) => self.put(&[u8::from(b)]),
            (TypeDesc::Char, Shape::Char(c)) => self.leb(u128::from(u32::from(c))),
            (TypeDesc::Str, Shape::Str { address, len }) => {
                let bytes = self.memory.read(address + 8, len as usize);
                if std::str::from_utf8(&bytes).is_err() {
                    return Err(EncodeError::NotOfType { reason: "a string of the result is not UTF-8".into() });
                }
                self.leb(u128::from(len))?;
                self.put(&bytes)
            }
            (TypeDesc::List(item), Shape::Nil | Shape::Cons { .. }) => self.list(word, item, scope, depth),
            (TypeDesc::Tuple(items), shape) => match (items.as_slice(), shape) {
                ([], Shape::Unit) => Ok(()),
                ([only], _) => self.value(word, only, None, scope, depth + 1),
                (items, Shape::Tuple { address, count }) if items.len() == count as usize => {
                    for (index, item) in items.iter().enumerate() {
                        let component = self.memory.load(address + 8 * (index as u64 + 1));
                        self.value(component, item, None, scope, depth + 1)?;
                    }
                    Ok(())
                }
                _ => Err(not_of_type(ty)),
            },
            (TypeDesc::Data { name, args }, shape) => {
                let data_type = known.or_else(|| self.schema.get(name)).ok_or_else(|| not_of_type(ty))?;
                let (id, tag, address) = match shape {
                    Shape::Atom { id, tag } => (id, tag, None),
                    Shape::Data { address, id, tag, .. } => (id, tag, Some(address)),
                    _ => return Err(not_of_type(ty)),
                };
                let tag = tag as usize;
                let (Some((_, fields)), Some(&Some(expected))) = (data_type.variants.get(tag), data_type.ids.get(tag))
                else {
                    return Err(not_of_type(ty));
                };
                let arity = match shape {
                    Shape::Data { arity, .. } => arity as usize,
                    _ => 0,
                };
                if expected != id || arity != fields.len() {
                    return Err(not_of_type(ty));
                }
                if data_type.variants.len() > 1 {
                    self.leb(tag as u128)?;
                }
                let inner = scope.inner(args);
                for (index, field) in fields.iter().enumerate() {
                    let Some(address) = address else { unreachable!("an atom has no fields") };
                    let word = self.memory.load(address + 8 * (index as u64 + 1));
                    let known = data_type.field_type(self.schema, tag, index);
                    self.value(word, field, known, &inner, depth + 1)?;
                }
                Ok(())
            }
            _ => Err(not_of_type(ty)),
        }
    }

    /// A list: its elements, then its count put before them.
    fn list(&mut self, word: u64, item: &TypeDesc, scope: &Scope<'_>, depth: usize) -> Result<(), EncodeError> {
        let at = self.out.len();
        let mut count = 0u128;
        let mut rest = word;
        loop {
            match shape(self.memory, rest) {
                Shape::Nil => break,
                Shape::Cons { address } => {
                    let head = self.memory.load(address + 8);
                    self.value(head, item, None, scope, depth + 1)?;
                    count += 1;
                    rest = self.memory.load(address + 16);
                }
                _ => return Err(not_of_type(&TypeDesc::List(Box::new(item.clone())))),
            }
        }
        let mut prefix = [0u8; LEB128_BYTES_MAX];
        let len = leb128(count, &mut prefix);
        self.check_len(len)?;
        self.out.splice(at..at, prefix[..len].iter().copied());
        Ok(())
    }

    fn check_len(&self, more: usize) -> Result<(), EncodeError> {
        if self.out.len() - self.start + more > self.limits.max_bytes {
            return Err(EncodeError::TooLarge { limit: self.limits.max_bytes });
        }
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.check_len(bytes.len())?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn leb(&mut self, n: u128) -> Result<(), EncodeError> {
        let mut buffer = [0u8; LEB128_BYTES_MAX];
        let len = leb128(n, &mut buffer);
        self.put(&buffer[..len])
    }
}

/// Bytes `n` takes in unsigned LEB128.
fn leb_len(n: u128) -> usize {
    leb128(n, &mut [0u8; LEB128_BYTES_MAX])
}

fn not_of_type(ty: &TypeDesc) -> EncodeError {
    EncodeError::NotOfType { reason: format!("the result holds no value of type {} there", type_name(ty)) }
}
