//! Words into values: reading a word and the objects it points to back as
//! the interpreter's [`Value`], to hand to its operations or to return from
//! a run.
//!
//! A word is what compiled code produced, so a word that fits no layout of
//! [`min_lir::abi`] is a bug in a backend or the lowering, and decoding it
//! panics. Lists and the last components of tuples and data are followed in
//! a loop, their parents kept on a heap-allocated stack, so long lists and
//! deep right-nested data take no Rust stack.

use min_core::Constructor;
use min_interp::Value;
use min_lir::abi::{self, Kind};
use min_lir::host::Memory;

/// A compound whose last component is being decoded.
enum Parent<'p> {
    /// A list cell with its head.
    Cons(Value<'p>),
    /// A tuple with all its components but the last.
    Tuple(Vec<Value<'p>>),
    /// Constructor data with all its fields but the last.
    Data(&'p Constructor, Vec<Value<'p>>),
}

/// What a word is, read as far as its object's header: an immediate's
/// value, or the kind and parts of the object a pointer points to. Reading
/// a pointer's shape loads its header (and a big number's two words); the
/// components are left for the reader to load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// A natural, small or big.
    Nat(u128),
    /// An integer, small or big.
    Int(i128),
    /// A real.
    Real(f64),
    /// A boolean.
    Bool(bool),
    /// A character.
    Char(char),
    /// `()`.
    Unit,
    /// The empty list.
    Nil,
    /// A constructor without fields: its id and its tag in its type.
    Atom {
        /// The constructor's id, its index in the program's constructors.
        id: u32,
        /// Its index among its type's constructors.
        tag: u32,
    },
    /// A string object: its UTF-8 bytes start 8 bytes after `address`.
    Str {
        /// The object's address.
        address: u64,
        /// The string's length in bytes.
        len: u32,
    },
    /// A list cell: its head is the word 8 bytes after `address`, its tail
    /// the word after that.
    Cons {
        /// The object's address.
        address: u64,
    },
    /// A tuple: its components are words `1..=count` of the object.
    Tuple {
        /// The object's address.
        address: u64,
        /// How many components it has, at least two.
        count: u32,
    },
    /// Constructor data with fields, in words `1..=arity` of the object.
    Data {
        /// The object's address.
        address: u64,
        /// The constructor's id.
        id: u32,
        /// Its index among its type's constructors.
        tag: u32,
        /// How many fields it has.
        arity: u32,
    },
    /// A function value that takes `arity` more arguments.
    Closure {
        /// How many more arguments it takes.
        arity: u32,
    },
}

/// The shape of `word`. Panics on a word that fits no layout of the ABI,
/// which only a faulty backend (or a module not made by `emit`) produces.
pub fn shape(memory: &dyn Memory, word: u64) -> Shape {
    if abi::is_real(word) {
        return Shape::Real(f64::from_bits(word));
    }
    let payload = word & abi::PAYLOAD_MASK;
    match word & abi::TAG_MASK {
        abi::TAG_PTR => {
            let address = payload;
            let header = memory.load(address);
            let kind = Kind::from_byte(header as u8);
            let kind = kind.unwrap_or_else(|| panic!("an object of unknown kind {} at {address:#x}", header as u8));
            let (_, a, _) = abi::header_parts(header);
            match kind {
                Kind::Str => Shape::Str { address, len: a },
                Kind::BigNat => Shape::Nat(big(memory, address)),
                Kind::BigInt => Shape::Int(big(memory, address) as i128),
                Kind::Tuple => {
                    assert!(a >= 2, "a tuple object of {a} components at {address:#x}");
                    Shape::Tuple { address, count: a }
                }
                Kind::Cons => Shape::Cons { address },
                Kind::Data => {
                    let (id, tag, arity) = abi::data_header_parts(header);
                    assert!(arity >= 1, "a data object of constructor {id} without fields at {address:#x}");
                    Shape::Data { address, id, tag, arity }
                }
                Kind::Closure => Shape::Closure { arity: a },
            }
        }
        abi::TAG_NAT => Shape::Nat(u128::from(payload)),
        abi::TAG_INT => Shape::Int(i128::from(abi::small_int_value(word))),
        abi::TAG_BOOL => Shape::Bool(payload != 0),
        abi::TAG_CHAR => {
            let c = u32::try_from(payload).ok().and_then(char::from_u32);
            Shape::Char(c.unwrap_or_else(|| panic!("a character word {word:#x} that is no character")))
        }
        abi::TAG_ATOM => match word {
            abi::UNIT => Shape::Unit,
            abi::NIL => Shape::Nil,
            _ => {
                let id = abi::constructor_of_atom(word).unwrap_or_else(|| panic!("an unknown atom {word:#x}"));
                Shape::Atom { id, tag: (word & 0xFFFF) as u32 }
            }
        },
        _ => panic!("decoding the word {word:#x}, which is no value"),
    }
}

/// The value of `word`; `constructors` are the program's, by id.
pub(crate) fn decode<'p>(memory: &dyn Memory, word: u64, constructors: &'p [Constructor]) -> Value<'p> {
    let mut parents = Vec::new();
    let mut word = word;
    let leaf = loop {
        match shape(memory, word) {
            Shape::Nat(n) => break Value::Nat(n),
            Shape::Int(i) => break Value::Int(i),
            Shape::Real(x) => break Value::Real(x),
            Shape::Bool(b) => break Value::Bool(b),
            Shape::Char(c) => break Value::Char(c),
            Shape::Unit => break Value::Unit,
            Shape::Nil => break Value::Nil,
            Shape::Atom { id, .. } => break Value::data(constructor(constructors, id), Vec::new()),
            Shape::Str { address, len } => {
                let bytes = memory.read(address + 8, len as usize);
                let text =
                    String::from_utf8(bytes).unwrap_or_else(|_| panic!("a string object at {address:#x} is not UTF-8"));
                break Value::string(&text);
            }
            Shape::Closure { arity } => break Value::opaque_function(arity as usize),
            Shape::Cons { address } => {
                let head = decode(memory, memory.load(address + 8), constructors);
                parents.push(Parent::Cons(head));
                word = memory.load(address + 16);
            }
            Shape::Tuple { address, count } => {
                let init = components(memory, address, count - 1, constructors);
                parents.push(Parent::Tuple(init));
                word = memory.load(address + 8 * u64::from(count));
            }
            Shape::Data { address, id, arity, .. } => {
                let constructor = constructor(constructors, id);
                let init = components(memory, address, arity - 1, constructors);
                parents.push(Parent::Data(constructor, init));
                word = memory.load(address + 8 * u64::from(arity));
            }
        }
    };
    parents.into_iter().rev().fold(leaf, |value, parent| match parent {
        Parent::Cons(head) => Value::cons(head, value),
        Parent::Tuple(mut items) => {
            items.push(value);
            Value::tuple(items)
        }
        Parent::Data(constructor, mut fields) => {
            fields.push(value);
            Value::data(constructor, fields)
        }
    })
}

/// Components `1..=count` of the object at `address`.
fn components<'p>(memory: &dyn Memory, address: u64, count: u32, constructors: &'p [Constructor]) -> Vec<Value<'p>> {
    (1..=u64::from(count)).map(|index| decode(memory, memory.load(address + 8 * index), constructors)).collect()
}

/// The 128 bits of a big-number object.
fn big(memory: &dyn Memory, address: u64) -> u128 {
    u128::from(memory.load(address + 8)) | u128::from(memory.load(address + 16)) << 64
}

/// The constructor of an id.
fn constructor(constructors: &[Constructor], id: u32) -> &Constructor {
    constructors
        .get(id as usize)
        .unwrap_or_else(|| panic!("constructor id {id} outside the program's {}", constructors.len()))
}

#[cfg(test)]
mod tests {
    use min_interp::Value;
    use min_lir::abi::{self, Kind};
    use min_lir::host::Memory;

    use super::decode;
    use crate::testing::{TestMemory, program, same};

    #[test]
    fn immediates_decode_from_their_words() {
        let program = program();
        let constructors = &program.constructors;
        let memory = TestMemory::new();
        let cases = [
            (abi::small_nat(42).unwrap(), Value::Nat(42)),
            (abi::small_int(-42).unwrap(), Value::Int(-42)),
            (abi::real_word(0.1), Value::Real(0.1)),
            (abi::CANONICAL_NAN, Value::Real(f64::NAN)),
            (abi::TRUE, Value::Bool(true)),
            (abi::char_word('√'), Value::Char('√')),
            (abi::UNIT, Value::Unit),
            (abi::NIL, Value::Nil),
            (abi::atom_of_constructor(0, 0), Value::data(&constructors[0], Vec::new())),
            (abi::atom_of_constructor(2, 1), Value::data(&constructors[2], Vec::new())),
        ];
        for (word, expected) in &cases {
            let value = decode(&memory, *word, constructors);
            assert!(same(&value, expected), "{word:#x} decoded as {value}");
        }
    }

    #[test]
    fn a_closure_decodes_as_a_function_of_its_arity() {
        let program = program();
        let mut memory = TestMemory::new();
        let address = memory.grow(32).unwrap();
        memory.store(address, abi::header(Kind::Closure, 2, 2));
        memory.store(address + 8, 0xC0DE);
        memory.store(address + 16, abi::UNIT);
        memory.store(address + 24, abi::NIL);
        let value = decode(&memory, abi::pointer_word(address), &program.constructors);
        let Value::Function(function) = &value else { panic!("{value} is not a function") };
        assert_eq!(function.arity(), 2);
        assert_eq!(value.to_string(), "<function>");
    }
}
