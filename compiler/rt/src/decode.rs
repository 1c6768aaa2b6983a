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

/// The value of `word`; `constructors` are the program's, by id.
pub(crate) fn decode<'p>(memory: &dyn Memory, word: u64, constructors: &'p [Constructor]) -> Value<'p> {
    let mut parents = Vec::new();
    let mut word = word;
    let leaf = loop {
        let Some((kind, header, address)) = object(memory, word) else {
            break immediate(word, constructors);
        };
        let (_, a, _) = abi::header_parts(header);
        match kind {
            Kind::Cons => {
                let head = decode(memory, memory.load(address + 8), constructors);
                parents.push(Parent::Cons(head));
                word = memory.load(address + 16);
            }
            Kind::Tuple => {
                assert!(a >= 2, "a tuple object of {a} components at {address:#x}");
                let init = components(memory, address, a - 1, constructors);
                parents.push(Parent::Tuple(init));
                word = memory.load(address + 8 * u64::from(a));
            }
            Kind::Data => {
                let (id, _, arity) = abi::data_header_parts(header);
                let constructor = constructor(constructors, id);
                assert!(arity >= 1, "a data object of {} without fields at {address:#x}", constructor.name);
                let init = components(memory, address, arity - 1, constructors);
                parents.push(Parent::Data(constructor, init));
                word = memory.load(address + 8 * u64::from(arity));
            }
            Kind::Str => {
                let bytes = memory.read(address + 8, a as usize);
                let text =
                    String::from_utf8(bytes).unwrap_or_else(|_| panic!("a string object at {address:#x} is not UTF-8"));
                break Value::string(&text);
            }
            Kind::BigNat => break Value::Nat(big(memory, address)),
            Kind::BigInt => break Value::Int(big(memory, address) as i128),
            Kind::Closure => break Value::opaque_function(a as usize),
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

/// The kind, header and address of the object a word points to, or `None`
/// for a word that is not a pointer.
fn object(memory: &dyn Memory, word: u64) -> Option<(Kind, u64, u64)> {
    if abi::is_real(word) || word & abi::TAG_MASK != abi::TAG_PTR {
        return None;
    }
    let address = word & abi::PAYLOAD_MASK;
    let header = memory.load(address);
    let kind = Kind::from_byte(header as u8);
    let kind = kind.unwrap_or_else(|| panic!("an object of unknown kind {} at {address:#x}", header as u8));
    Some((kind, header, address))
}

/// The value of a word that is not a pointer.
fn immediate<'p>(word: u64, constructors: &'p [Constructor]) -> Value<'p> {
    if abi::is_real(word) {
        return Value::Real(f64::from_bits(word));
    }
    let payload = word & abi::PAYLOAD_MASK;
    match word & abi::TAG_MASK {
        abi::TAG_NAT => Value::Nat(u128::from(payload)),
        abi::TAG_INT => Value::Int(i128::from(abi::small_int_value(word))),
        abi::TAG_BOOL => Value::Bool(payload != 0),
        abi::TAG_CHAR => {
            let c = u32::try_from(payload).ok().and_then(char::from_u32);
            Value::Char(c.unwrap_or_else(|| panic!("a character word {word:#x} that is no character")))
        }
        abi::TAG_ATOM => match word {
            abi::UNIT => Value::Unit,
            abi::NIL => Value::Nil,
            _ => {
                let id = abi::constructor_of_atom(word).unwrap_or_else(|| panic!("an unknown atom {word:#x}"));
                Value::data(constructor(constructors, id), Vec::new())
            }
        },
        _ => panic!("decoding the word {word:#x}, which is no value"),
    }
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
