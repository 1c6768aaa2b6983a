//! Values into words: building a [`Value`]'s objects in a region, in the
//! layouts of [`min_lir::abi`].
//!
//! Lists are built front to back and constructor data and tuples down their
//! last component, each new object written into the slot its parent left
//! open, so a list of millions of elements or data nested as deep as memory
//! allows takes no Rust stack; only the other components recurse.

use min_core::Constructor;
use min_diagnostics::codes;
use min_interp::{RuntimeError, Value};
use min_lir::abi::{self, Kind};
use min_lir::host::Memory;

use crate::Fault;
use crate::regions::Regions;
use crate::tables::Tables;

/// Builds objects in one region.
pub(crate) struct Encoder<'a> {
    /// The program's memory.
    pub(crate) memory: &'a mut dyn Memory,
    /// The chunk pool.
    pub(crate) regions: &'a mut Regions,
    /// The program's constructors.
    pub(crate) tables: &'a Tables,
    /// The descriptor of the region objects go to.
    pub(crate) region: u64,
}

/// The largest constructor id, tag and arity a data header holds.
pub(crate) const DATA_ID_MAX: u32 = (1 << 24) - 1;
pub(crate) const DATA_TAG_MAX: u32 = (1 << 16) - 1;
pub(crate) const DATA_FIELD_MAX: u32 = (1 << 16) - 1;

/// One step of encoding: the word of a value, and the open slot of its
/// last component with the value that goes there, if it has one.
type Step<'v, 'p> = (u64, Option<(u64, &'v Value<'p>)>);

impl Encoder<'_> {
    /// The word of `value`, its objects built in the region.
    pub(crate) fn value(&mut self, value: &Value<'_>) -> Result<u64, Fault> {
        let (root, mut open) = self.step(value)?;
        while let Some((slot, value)) = open {
            let (word, next) = self.step(value)?;
            self.memory.store(slot, word);
            open = next;
        }
        Ok(root)
    }

    /// The word of a value whose last component, if any, is left open.
    fn step<'v, 'p>(&mut self, value: &'v Value<'p>) -> Result<Step<'v, 'p>, Fault> {
        let word = match value {
            Value::Nat(n) => self.nat(*n)?,
            Value::Int(i) => self.int(*i)?,
            Value::Real(x) => abi::real_word(*x),
            Value::Bool(b) => abi::bool_word(*b),
            Value::Char(c) => abi::char_word(*c),
            Value::Str(s) => self.string(s)?,
            Value::Unit => abi::UNIT,
            Value::Nil => abi::NIL,
            Value::Tuple(items) => {
                return self.compound(abi::header(Kind::Tuple, header_count(items.len())?, 0), items);
            }
            Value::Cons(pair) => {
                let address = self.object(abi::header(Kind::Cons, 0, 0), 3)?;
                let head = self.value(&pair.head)?;
                self.memory.store(address + 8, head);
                return Ok((abi::pointer_word(address), Some((address + 16, &pair.tail))));
            }
            Value::Data(data) => {
                let (id, tag, name) =
                    (self.constructor_id(data.constructor)?, data.constructor.tag, &data.constructor.name);
                if id > DATA_ID_MAX || tag > DATA_TAG_MAX {
                    return Err(invalid(format!("{name} is past the constructors a word can name")));
                }
                if data.fields.is_empty() {
                    abi::atom_of_constructor(id, tag)
                } else {
                    let arity = u32::try_from(data.fields.len()).ok().filter(|arity| *arity <= DATA_FIELD_MAX);
                    let arity =
                        arity.ok_or_else(|| invalid(format!("{name} has more fields than a data object holds")))?;
                    return self.compound(abi::data_header(id, tag, arity), &data.fields);
                }
            }
            Value::Function(_) => return Err(invalid("a function value cannot be passed to compiled code")),
        };
        Ok((word, None))
    }

    /// An object of `header` and `items`, all but the last item encoded, the
    /// last one's slot left open.
    fn compound<'v, 'p>(&mut self, header: u64, items: &'v [Value<'p>]) -> Result<Step<'v, 'p>, Fault> {
        let Some((last, init)) = items.split_last() else {
            return Err(invalid("a compound value without components"));
        };
        let address = self.object(header, 1 + items.len() as u64)?;
        for (index, item) in init.iter().enumerate() {
            let word = self.value(item)?;
            self.memory.store(address + 8 * (1 + index as u64), word);
        }
        Ok((abi::pointer_word(address), Some((address + 8 * items.len() as u64, last))))
    }

    /// The word of a natural: small, or a big-number object.
    pub(crate) fn nat(&mut self, n: u128) -> Result<u64, Fault> {
        match abi::small_nat(n) {
            Some(word) => Ok(word),
            None => self.big(Kind::BigNat, n),
        }
    }

    /// The word of an integer: small, or a big-number object.
    pub(crate) fn int(&mut self, i: i128) -> Result<u64, Fault> {
        match abi::small_int(i) {
            Some(word) => Ok(word),
            None => self.big(Kind::BigInt, i as u128),
        }
    }

    /// A big-number object of `kind` holding `bits`.
    fn big(&mut self, kind: Kind, bits: u128) -> Result<u64, Fault> {
        let address = self.object(abi::header(kind, 0, 0), 3)?;
        self.memory.store(address + 8, bits as u64);
        self.memory.store(address + 16, (bits >> 64) as u64);
        Ok(abi::pointer_word(address))
    }

    /// A string object.
    pub(crate) fn string(&mut self, text: &str) -> Result<u64, Fault> {
        let len = header_count(text.len()).map_err(|_| invalid("a string of 4 GiB or more"))?;
        let bytes = abi::string_bytes(text.len() as u64);
        let address = self.object(abi::header(Kind::Str, len, 0), bytes / 8)?;
        let mut padded = Vec::with_capacity(bytes as usize - 8);
        padded.extend_from_slice(text.as_bytes());
        padded.resize(bytes as usize - 8, 0);
        self.memory.write(address + 8, &padded);
        Ok(abi::pointer_word(address))
    }

    /// A list cell of two words.
    pub(crate) fn cons(&mut self, head: u64, tail: u64) -> Result<u64, Fault> {
        let address = self.object(abi::header(Kind::Cons, 0, 0), 3)?;
        self.memory.store(address + 8, head);
        self.memory.store(address + 16, tail);
        Ok(abi::pointer_word(address))
    }

    /// The (untagged) address of a new object of `words` words, its header
    /// written and the rest for the caller to fill.
    pub(crate) fn object(&mut self, header: u64, words: u64) -> Result<u64, Fault> {
        let bytes = words.checked_mul(8).ok_or_else(|| crate::regions::out_of_memory(u64::MAX))?;
        let address = self.regions.allocate(self.memory, self.region, bytes)?;
        self.memory.store(address, header);
        Ok(address)
    }

    /// The id of a constructor of the program.
    fn constructor_id(&self, constructor: &Constructor) -> Result<u32, Fault> {
        self.tables.constructor_id(constructor).ok_or_else(|| {
            invalid(format!("the constructor {} is not one of the compiled program's", constructor.name))
        })
    }
}

/// A count as a header field: fewer than 2^32.
pub(crate) fn header_count(count: usize) -> Result<u32, Fault> {
    u32::try_from(count).map_err(|_| invalid("a value with 2^32 or more components"))
}

/// `E0401`: a value compiled code cannot hold.
pub(crate) fn invalid(message: impl Into<String>) -> Fault {
    Box::new(RuntimeError {
        code: codes::E0401,
        message: message.into(),
        span: None,
        trace: Vec::new(),
        repeats: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use min_core::Constructor;
    use min_interp::Value;
    use min_lir::abi::{self, Kind};
    use min_lir::host::Memory;

    use crate::Runtime;
    use crate::testing::{TestMemory, constructor, descriptor, program, same};

    /// Encodes `value` in a fresh region and decodes it again.
    fn round_trip<'p>(constructors: &'p [Constructor], value: &Value<'p>) -> Value<'p> {
        let mut memory = TestMemory::new();
        let mut runtime = Runtime::new(&program(), 100);
        let region = descriptor(&mut memory);
        let word = runtime.encode(&mut memory, region, value);
        assert_ne!(word, abi::FAIL, "{:?}", runtime.take_fault());
        runtime.decode(&memory, word, constructors)
    }

    /// The word of `value` and the memory it was built in.
    fn encoded(value: &Value<'_>) -> (u64, TestMemory) {
        let mut memory = TestMemory::new();
        let mut runtime = Runtime::new(&program(), 100);
        let region = descriptor(&mut memory);
        let word = runtime.encode(&mut memory, region, value);
        (word, memory)
    }

    #[test]
    fn every_shape_of_value_comes_back_the_same() {
        let program = program();
        let constructors = &program.constructors;
        let z = Value::data(&constructors[0], Vec::new());
        let one = Value::data(&constructors[1], vec![z.clone()]);
        let point = Value::data(&constructors[4], vec![Value::Real(1.5), Value::Real(-2.0)]);
        let term = Value::data(&constructors[3], vec![Value::data(&constructors[2], Vec::new()), point.clone()]);
        let values = vec![
            Value::Nat(0),
            Value::Int(-1),
            Value::Real(1.5),
            Value::Real(-0.0),
            Value::Real(f64::INFINITY),
            Value::Real(f64::MIN_POSITIVE / 4.0),
            Value::Bool(true),
            Value::Bool(false),
            Value::Char('σ'),
            Value::Char('\u{10FFFF}'),
            Value::string(""),
            Value::string("a"),
            Value::string("exactly8"),
            Value::string("σ² and √t, a string longer than a word"),
            Value::Unit,
            Value::Nil,
            Value::tuple(vec![Value::Nat(1), Value::string("two")]),
            Value::tuple(vec![Value::Unit, Value::tuple(vec![Value::Bool(true), Value::Nil]), Value::Int(-3)]),
            Value::list(vec![Value::Nat(1), Value::Nat(2), Value::Nat(3)]),
            Value::list(vec![Value::list(vec![Value::Char('x')]), Value::Nil]),
            z,
            one,
            point,
            term,
            Value::list(vec![Value::tuple(vec![Value::Nat(u128::MAX), Value::Int(i128::MIN)])]),
        ];
        for value in &values {
            let back = round_trip(constructors, value);
            assert!(same(value, &back), "{value} came back as {back}");
        }
    }

    #[test]
    fn numbers_are_boxed_exactly_outside_the_small_range() {
        let small = [
            Value::Nat(abi::SMALL_NAT_MAX),
            Value::Int(abi::SMALL_INT_MIN),
            Value::Int(abi::SMALL_INT_MAX),
            Value::Int(0),
        ];
        for value in &small {
            let (word, _) = encoded(value);
            assert_ne!(word & abi::TAG_MASK, abi::TAG_PTR, "{value} was boxed");
        }
        let big = [
            Value::Nat(abi::SMALL_NAT_MAX + 1),
            Value::Nat(u128::MAX),
            Value::Int(abi::SMALL_INT_MIN - 1),
            Value::Int(abi::SMALL_INT_MAX + 1),
            Value::Int(i128::MIN),
            Value::Int(i128::MAX),
        ];
        for value in &big {
            let (word, _) = encoded(value);
            assert_eq!(word & abi::TAG_MASK, abi::TAG_PTR, "{value} was not boxed");
        }
        let program = program();
        for value in small.iter().chain(&big).chain(&[Value::Nat(1 << 47), Value::Int(-(1 << 47) + 1)]) {
            let back = round_trip(&program.constructors, value);
            assert!(same(value, &back), "{value} came back as {back}");
        }
        assert_eq!(encoded(&Value::Int(-5)).0, abi::small_int(-5).unwrap());
        assert_eq!(abi::small_int_value(encoded(&Value::Int(abi::SMALL_INT_MIN)).0), -(1 << 47));
    }

    #[test]
    fn objects_have_the_abi_layouts() {
        let (word, memory) = encoded(&Value::string("σ²abcdefgh"));
        let address = word & abi::PAYLOAD_MASK;
        let text = "σ²abcdefgh".as_bytes();
        assert_eq!(memory.load(address), abi::header(Kind::Str, text.len() as u32, 0));
        let mut padded = text.to_vec();
        padded.resize(16, 0);
        assert_eq!(memory.read(address + 8, 16), padded);

        let (word, memory) = encoded(&Value::Nat(1 << 100));
        let address = word & abi::PAYLOAD_MASK;
        assert_eq!(memory.load(address), abi::header(Kind::BigNat, 0, 0));
        assert_eq!([memory.load(address + 8), memory.load(address + 16)], [0, 1 << 36]);

        let (word, memory) = encoded(&Value::Int(-(1 << 60)));
        let address = word & abi::PAYLOAD_MASK;
        assert_eq!(memory.load(address), abi::header(Kind::BigInt, 0, 0));
        assert_eq!([memory.load(address + 8), memory.load(address + 16)], [(-(1i64 << 60)) as u64, u64::MAX]);

        let program = program();
        let apply = Value::data(&program.constructors[3], vec![Value::Nat(7), Value::Bool(true)]);
        let (word, memory) = encoded(&apply);
        let address = word & abi::PAYLOAD_MASK;
        assert_eq!(memory.load(address), abi::data_header(3, 2, 2));
        assert_eq!([memory.load(address + 8), memory.load(address + 16)], [abi::small_nat(7).unwrap(), abi::TRUE]);

        let nil = Value::data(&program.constructors[2], Vec::new());
        assert_eq!(encoded(&nil).0, abi::atom_of_constructor(2, 1));

        let (word, memory) = encoded(&Value::list(vec![Value::Char('a')]));
        let address = word & abi::PAYLOAD_MASK;
        assert_eq!(memory.load(address), abi::header(Kind::Cons, 0, 0));
        assert_eq!([memory.load(address + 8), memory.load(address + 16)], [abi::char_word('a'), abi::NIL]);

        let (word, memory) = encoded(&Value::tuple(vec![Value::Unit, Value::Nil, Value::Real(f64::NAN)]));
        let address = word & abi::PAYLOAD_MASK;
        assert_eq!(memory.load(address), abi::header(Kind::Tuple, 3, 0));
        assert_eq!(memory.load(address + 24), abi::CANONICAL_NAN);
    }

    #[test]
    fn a_list_of_a_million_elements_round_trips() {
        let program = program();
        let items: Vec<Value<'_>> = (0..1_000_000u128).map(Value::Nat).collect();
        let list = Value::list(items);
        let back = round_trip(&program.constructors, &list);
        assert!(same(&list, &back));
    }

    #[test]
    fn data_nested_a_hundred_thousand_deep_round_trips() {
        let program = program();
        let constructors = &program.constructors;
        let mut peano = Value::data(&constructors[0], Vec::new());
        // Tuples alternate with data: a chain of tuples alone would overflow
        // the stack when dropped, which data values prevent.
        let mut chain = Value::Unit;
        for n in 0..100_000u128 {
            peano = Value::data(&constructors[1], vec![peano]);
            chain = Value::data(&constructors[3], vec![Value::Nat(n), Value::tuple(vec![Value::Nat(n), chain])]);
        }
        let value = Value::data(&constructors[3], vec![peano, chain]);
        let back = round_trip(constructors, &value);
        assert!(same(&value, &back));
    }

    #[test]
    fn constructors_are_found_by_name_tag_and_arity() {
        // A constructor from another copy of the types, without field names.
        let copy = Constructor { fields: Vec::new(), record: false, ..program().constructors[4].clone() };
        let point = Value::data(&copy, vec![Value::Nat(1), Value::Nat(2)]);
        let (word, memory) = encoded(&point);
        assert_eq!(abi::data_header_parts(memory.load(word & abi::PAYLOAD_MASK)).0, 4);
    }

    #[test]
    fn functions_and_unknown_constructors_cannot_be_encoded() {
        let mut memory = TestMemory::new();
        let mut runtime = Runtime::new(&program(), 100);
        let region = descriptor(&mut memory);
        let function = Value::list(vec![Value::Nat(1), Value::opaque_function(2)]);
        assert_eq!(runtime.encode(&mut memory, region, &function), abi::FAIL);
        let fault = runtime.take_fault().unwrap();
        assert_eq!(fault.code, min_diagnostics::codes::E0401);
        assert_eq!(fault.message, "a function value cannot be passed to compiled code");
        let stranger = constructor("Stranger", 0, 1);
        let value = Value::data(&stranger, vec![Value::Unit]);
        assert_eq!(runtime.encode(&mut memory, region, &value), abi::FAIL);
        let fault = runtime.take_fault().unwrap();
        assert_eq!(fault.message, "the constructor Stranger is not one of the compiled program's");
        assert!(runtime.take_fault().is_none());
    }

    #[test]
    fn shared_components_are_encoded_each_time_they_are_met() {
        let program = program();
        let shared = Value::Str(Rc::from("shared"));
        let value = Value::tuple(vec![shared.clone(), shared]);
        let back = round_trip(&program.constructors, &value);
        assert!(same(&value, &back));
    }
}
