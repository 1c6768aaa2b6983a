//! The helpers: what compiled code calls the run-time library for.
//!
//! Operations on values decode their operands, run the interpreter's own
//! operation ([`min_interp::ops`]), and encode the result, so that results
//! and faults are the interpreter's by construction. Faults get the span
//! argument where the interpreter attaches the expression's span (`.at`):
//! arithmetic, comparison, primitives and failed matches. The one exception
//! is `++` on two lists, done on the words: the result shares the elements
//! themselves, closures included, which a decoded closure could not be
//! turned back into.

use min_core::Prim;
use min_interp::{RuntimeError, Value, ops};
use min_lir::Helper;
use min_lir::abi::{self, FAIL, Kind};
use min_lir::abi::{NIL, NO_NAME};
use min_lir::host::{Host, Memory};

use crate::Fault;
use crate::decode::decode;
use crate::encode::Encoder;
use crate::runtime::Runtime;
use crate::tables::Tables;

impl Host for Runtime {
    fn helper(&mut self, memory: &mut dyn Memory, helper: Helper, args: &[u64]) -> u64 {
        assert_eq!(args.len(), helper.arity(), "the helper {} takes {} words", helper.name(), helper.arity());
        match self.run(memory, helper, args) {
            Ok(word) => word,
            Err(fault) => {
                if helper != Helper::DepthExceeded {
                    self.unentered = false;
                }
                self.fault = Some(fault);
                FAIL
            }
        }
    }
}

impl Runtime {
    /// Runs a helper on exactly its arguments.
    fn run(&mut self, memory: &mut dyn Memory, helper: Helper, args: &[u64]) -> Result<u64, Fault> {
        let Runtime { tables, regions, depth_limit, fault, unentered, calls } = self;
        let tables: &Tables = tables;
        let constructors = tables.constructors.as_slice();
        let located_box = |fault: Fault, span: u64| -> Fault {
            match tables.span(span) {
                Some(span) => fault.at(span),
                None => fault,
            }
        };
        let located = |error: RuntimeError, span: u64| located_box(Box::new(error), span);
        match helper {
            Helper::RegionGrow => regions.allocate(memory, args[0], args[1]),
            Helper::RegionRelease => {
                regions.release(memory, args[0]);
                Ok(0)
            }
            Helper::Arith => {
                let (op, kind) = min_lir::arith_operation_parts(args[0]);
                let (a, b) = (decode(memory, args[1], constructors), decode(memory, args[2], constructors));
                let result = ops::arith(op, kind, &a, &b).map_err(|error| located(error, args[4]))?;
                Encoder { memory, regions, tables, region: args[3] }.value(&result)
            }
            Helper::Pow => {
                let kind = min_lir::num_kind_of_code(args[0]);
                let (base, exponent) = (decode(memory, args[1], constructors), decode(memory, args[2], constructors));
                let result = ops::pow(kind, &base, &exponent).map_err(|error| located(error, args[4]))?;
                Encoder { memory, regions, tables, region: args[3] }.value(&result)
            }
            Helper::Neg => {
                let kind = min_lir::num_kind_of_code(args[0]);
                let a = decode(memory, args[1], constructors);
                let result = ops::neg(kind, &a).map_err(|error| located(error, args[3]))?;
                Encoder { memory, regions, tables, region: args[2] }.value(&result)
            }
            Helper::Compare => {
                let op = min_lir::cmp_of_code(args[0]);
                if let (Some(x), Some(y)) = (string_bytes(memory, args[1]), string_bytes(memory, args[2])) {
                    // UTF-8 byte order is the order of the characters, as the interpreter compares.
                    return Ok(abi::bool_word(ordering_holds(op, x.cmp(&y))));
                }
                let (a, b) = (decode(memory, args[1], constructors), decode(memory, args[2], constructors));
                let result = ops::compare(op, &a, &b).map_err(|error| located(error, args[3]))?;
                Ok(abi::bool_word(result))
            }
            Helper::Concat => {
                let mut encoder = Encoder { memory, regions, tables, region: args[2] };
                if is_list(encoder.memory, args[0]) && is_list(encoder.memory, args[1]) {
                    return concat_lists(&mut encoder, args[0], args[1]);
                }
                let a = decode(encoder.memory, args[0], constructors);
                let b = decode(encoder.memory, args[1], constructors);
                let result = ops::concat(a, b).map_err(Box::new)?;
                encoder.value(&result)
            }
            Helper::Prim1 | Helper::Prim2 => {
                let (operands, region, span) = match helper {
                    Helper::Prim1 => (&args[1..2], args[2], args[3]),
                    _ => (&args[1..3], args[3], args[4]),
                };
                let prim = primitive(args[0]).map_err(|error| located(error, span))?;
                let operands: Vec<_> = operands.iter().map(|word| decode(memory, *word, constructors)).collect();
                if let (Prim::CallContract, Some(handler), [Value::Str(procedure), arguments]) =
                    (prim, calls.0.as_mut(), operands.as_slice())
                {
                    let result = handler.call(procedure, arguments).map_err(|error| located(error, span))?;
                    return Encoder { memory, regions, tables, region }.value(&result);
                }
                let result = ops::prim(prim, &operands).map_err(|error| located(error, span))?;
                Encoder { memory, regions, tables, region }.value(&result)
            }
            Helper::MatchFailure => {
                let scrutinee = decode(memory, args[0], constructors);
                Err(located(ops::match_failure(&scrutinee), args[1]))
            }
            Helper::DepthExceeded => {
                *unentered = true;
                Err(Box::new(ops::depth_exceeded(*depth_limit)))
            }
            Helper::CellCycle => Err(Box::new(ops::cycle(tables.name(args[0])))),
            Helper::Unwind => {
                let inner = fault.take().unwrap_or_else(|| Box::new(ops::ill_formed("a call failed without a fault")));
                // A function that could not start for the depth limit is
                // not in the trace: the interpreter counts the call before
                // it names it.
                let named = args[0] != NO_NAME && !std::mem::take(unentered);
                let inner = if named { inner.called_from(tables.name(args[0])) } else { inner };
                Err(located_box(inner, args[1]))
            }
        }
    }
}

/// The primitive of a helper's primitive argument: its index in [`Prim::ALL`].
/// The bytes of a string object, or `None` for any other word.
fn string_bytes(memory: &dyn Memory, word: u64) -> Option<Vec<u8>> {
    if word & abi::TAG_MASK != abi::TAG_PTR {
        return None;
    }
    let address = word & abi::PAYLOAD_MASK;
    let (kind, length, _) = abi::header_parts(memory.load(address));
    (Kind::from_byte(kind) == Some(Kind::Str)).then(|| memory.read(address + 8, length as usize))
}

/// Whether `op` holds between two values ordered as `ordering`.
fn ordering_holds(op: min_core::CmpOp, ordering: std::cmp::Ordering) -> bool {
    use min_core::CmpOp;
    use std::cmp::Ordering;
    match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
    }
}

fn primitive(index: u64) -> Result<Prim, RuntimeError> {
    let found = usize::try_from(index).ok().and_then(|index| Prim::ALL.get(index));
    found.map(|(_, prim)| *prim).ok_or_else(|| ops::ill_formed(format_args!("no primitive has the index {index}")))
}

/// Whether a word is a list: the empty list or a list cell.
fn is_list(memory: &dyn Memory, word: u64) -> bool {
    word == NIL
        || (!abi::is_real(word)
            && word & abi::TAG_MASK == abi::TAG_PTR
            && abi::header_parts(memory.load(word & abi::PAYLOAD_MASK)).0 == Kind::Cons as u8)
}

/// `a ++ b` on two list words: the cells of `a` copied (holding the same
/// element words), the last one pointing at `b`, which is shared.
fn concat_lists(encoder: &mut Encoder<'_>, a: u64, b: u64) -> Result<u64, Fault> {
    if a == NIL {
        return Ok(b);
    }
    if b == NIL {
        return Ok(a);
    }
    let mut first = None;
    let mut open_tail = None;
    let mut cell = a;
    while cell != NIL {
        let address = cell & abi::PAYLOAD_MASK;
        let (head, next) = (encoder.memory.load(address + 8), encoder.memory.load(address + 16));
        let copy = encoder.cons(head, b)?;
        match open_tail {
            Some(slot) => encoder.memory.store(slot, copy),
            None => first = Some(copy),
        }
        open_tail = Some((copy & abi::PAYLOAD_MASK) + 16);
        cell = next;
    }
    Ok(first.unwrap_or(b))
}

#[cfg(test)]
mod tests {
    use min_core::{ArithOp, CmpOp, NumKind, Prim};
    use min_diagnostics::codes;
    use min_interp::{RuntimeError, Value, ops};
    use min_lir::abi::{self, FAIL, NO_NAME, NO_SPAN};
    use min_lir::host::{Host, Memory};
    use min_lir::{Helper, Program, arith_operation, cmp_code, num_kind_code};

    use crate::Runtime;
    use crate::testing::{TestMemory, descriptor, program, same, span};

    /// A runtime, its memory and a region, for one program.
    struct Fixture {
        program: Program,
        runtime: Runtime,
        memory: TestMemory,
        region: u64,
    }

    impl Fixture {
        fn new() -> Fixture {
            let program = program();
            let runtime = Runtime::new(&program, 7);
            let mut memory = TestMemory::new();
            let region = descriptor(&mut memory);
            Fixture { program, runtime, memory, region }
        }

        fn word(&mut self, value: &Value<'_>) -> u64 {
            let word = self.runtime.encode(&mut self.memory, self.region, value);
            assert_ne!(word, FAIL);
            word
        }

        fn value(&self, word: u64) -> Value<'_> {
            self.runtime.decode(&self.memory, word, &self.program.constructors)
        }

        fn helper(&mut self, helper: Helper, args: &[u64]) -> u64 {
            self.runtime.helper(&mut self.memory, helper, args)
        }

        /// The helper's fault, asserting it failed.
        fn fault(&mut self, helper: Helper, args: &[u64]) -> RuntimeError {
            assert_eq!(self.helper(helper, args), FAIL, "{helper:?} did not fail");
            self.runtime.take_fault().expect("a failing helper records its fault")
        }
    }

    /// `error` located at `at`, as the interpreter's `.at(span)` does.
    fn at(error: RuntimeError, at: min_diagnostics::Span) -> RuntimeError {
        *Box::new(error).at(at)
    }

    #[test]
    fn arithmetic_gives_the_interpreters_results() {
        let mut f = Fixture::new();
        let cases = [
            (ArithOp::Add, NumKind::Nat, Value::Nat(2), Value::Nat(3)),
            (ArithOp::Add, NumKind::Nat, Value::Nat(abi::SMALL_NAT_MAX), Value::Nat(1)),
            (ArithOp::Sub, NumKind::Int, Value::Int(abi::SMALL_INT_MIN), Value::Int(1)),
            (ArithOp::Mul, NumKind::Int, Value::Int(1 << 100), Value::Int(-4)),
            (ArithOp::Div, NumKind::Int, Value::Int(-7), Value::Int(2)),
            (ArithOp::Rem, NumKind::Int, Value::Int(i128::MIN), Value::Int(-1)),
            (ArithOp::Div, NumKind::Real, Value::Real(1.0), Value::Real(3.0)),
            (ArithOp::Rem, NumKind::Real, Value::Real(7.5), Value::Real(2.0)),
            (ArithOp::Add, NumKind::Dyn, Value::Int(1), Value::Real(0.5)),
            (ArithOp::Sub, NumKind::Dyn, Value::Nat(5), Value::Int(2)),
        ];
        for (op, kind, a, b) in &cases {
            let expected = ops::arith(*op, *kind, a, b).unwrap();
            let (a_word, b_word) = (f.word(a), f.word(b));
            let word = f.helper(Helper::Arith, &[arith_operation(*op, *kind), a_word, b_word, f.region, 0]);
            let result = f.value(word);
            assert!(same(&result, &expected), "{a} {op:?} {b} gave {result}, not {expected}");
        }
    }

    #[test]
    fn arithmetic_faults_carry_the_interpreters_message_and_the_span() {
        let mut f = Fixture::new();
        let cases = [
            (ArithOp::Add, NumKind::Nat, Value::Nat(u128::MAX), Value::Nat(1), codes::E0410),
            (ArithOp::Sub, NumKind::Nat, Value::Nat(3), Value::Nat(5), codes::E0410),
            (ArithOp::Mul, NumKind::Int, Value::Int(i128::MAX), Value::Int(2), codes::E0410),
            (ArithOp::Div, NumKind::Nat, Value::Nat(7), Value::Nat(0), codes::E0411),
            (ArithOp::Rem, NumKind::Int, Value::Int(-7), Value::Int(0), codes::E0411),
        ];
        for (op, kind, a, b, code) in cases {
            let expected = at(ops::arith(op, kind, &a, &b).unwrap_err(), span(10, 20));
            assert_eq!(expected.code, code);
            let (a_word, b_word) = (f.word(&a), f.word(&b));
            let fault = f.fault(Helper::Arith, &[arith_operation(op, kind), a_word, b_word, f.region, 1]);
            assert_eq!(fault, expected);
        }
        let three = f.word(&Value::Nat(3));
        let five = f.word(&Value::Nat(5));
        let fault =
            f.fault(Helper::Arith, &[arith_operation(ArithOp::Sub, NumKind::Nat), three, five, f.region, NO_SPAN]);
        assert_eq!(fault.message, "3 - 5 is below zero in ℕ");
        assert_eq!(fault.span, None);
    }

    #[test]
    fn power_and_negation_follow_the_interpreter() {
        let mut f = Fixture::new();
        let two = f.word(&Value::Int(2));
        let exponent = f.word(&Value::Nat(100));
        let word = f.helper(Helper::Pow, &[num_kind_code(NumKind::Int), two, exponent, f.region, 0]);
        assert!(same(&f.value(word), &Value::Int(1 << 100)));
        let too_far = f.word(&Value::Nat(127));
        let fault = f.fault(Helper::Pow, &[num_kind_code(NumKind::Int), two, too_far, f.region, 0]);
        let expected = at(ops::pow(NumKind::Int, &Value::Int(2), &Value::Nat(127)).unwrap_err(), span(3, 7));
        assert_eq!(fault, expected);

        let min = f.word(&Value::Int(i128::MIN));
        let fault = f.fault(Helper::Neg, &[num_kind_code(NumKind::Int), min, f.region, 2]);
        assert_eq!(fault, at(ops::neg(NumKind::Int, &Value::Int(i128::MIN)).unwrap_err(), span(30, 31)));
        let small = f.word(&Value::Int(abi::SMALL_INT_MIN));
        let word = f.helper(Helper::Neg, &[num_kind_code(NumKind::Int), small, f.region, 2]);
        assert!(same(&f.value(word), &Value::Int(1 << 47)), "the negated smallest small integer is big");
    }

    #[test]
    fn comparison_is_structural_and_refuses_functions() {
        let mut f = Fixture::new();
        let constructors = f.program.constructors.clone();
        let z = Value::data(&constructors[0], Vec::new());
        let one = Value::data(&constructors[1], vec![z.clone()]);
        let cases = [
            (CmpOp::Lt, Value::string("abc"), Value::string("abd")),
            (CmpOp::Eq, Value::Char('a'), Value::string("a")),
            (CmpOp::Le, Value::list(vec![Value::Nat(1)]), Value::list(vec![Value::Nat(1), Value::Nat(0)])),
            (CmpOp::Gt, one.clone(), z.clone()),
            (CmpOp::Ne, one.clone(), one.clone()),
            (CmpOp::Eq, Value::Real(f64::NAN), Value::Real(f64::NAN)),
            (CmpOp::Ge, Value::Int(-1), Value::Nat(0)),
            (CmpOp::Eq, Value::Nat(1 << 100), Value::Nat(1 << 100)),
            (
                CmpOp::Lt,
                Value::tuple(vec![Value::Nat(1), Value::Real(2.0)]),
                Value::tuple(vec![Value::Nat(1), Value::Real(2.5)]),
            ),
        ];
        for (op, a, b) in &cases {
            let expected = ops::compare(*op, a, b).unwrap();
            let (a_word, b_word) = (f.word(a), f.word(b));
            assert_eq!(f.helper(Helper::Compare, &[cmp_code(*op), a_word, b_word, 0]), abi::bool_word(expected));
        }
        let closure = f.memory.grow(16).unwrap();
        f.memory.store(closure, abi::header(abi::Kind::Closure, 1, 0));
        f.memory.store(closure + 8, 0xC0DE);
        let function = abi::pointer_word(closure);
        let fault = f.fault(Helper::Compare, &[cmp_code(CmpOp::Eq), function, function, 1]);
        let expected = ops::compare(CmpOp::Eq, &Value::opaque_function(1), &Value::opaque_function(1)).unwrap_err();
        assert_eq!(fault, at(expected, span(10, 20)));
        assert_eq!(fault.message, "functions cannot be compared");
    }

    #[test]
    fn concatenation_joins_strings_and_shares_the_right_list() {
        let mut f = Fixture::new();
        let a = f.word(&Value::string("σ² "));
        let b = f.word(&Value::Char('√'));
        let word = f.helper(Helper::Concat, &[a, b, f.region]);
        assert_eq!(f.value(word).to_string(), "\"σ² √\"");

        // Elements are copied as words: a closure stays the very same object.
        let closure = f.memory.grow(16).unwrap();
        f.memory.store(closure, abi::header(abi::Kind::Closure, 1, 0));
        f.memory.store(closure + 8, 0xC0DE);
        let function = abi::pointer_word(closure);
        let left = f.runtime.encode(&mut f.memory, f.region, &Value::list(vec![Value::Nat(1), Value::Nat(2)]));
        let left_address = left & abi::PAYLOAD_MASK;
        f.memory.store(left_address + 8, function);
        let right = f.word(&Value::list(vec![Value::Nat(3)]));
        let word = f.helper(Helper::Concat, &[left, right, f.region]);
        assert_eq!(f.value(word).to_string(), "[<function>, 2, 3]");
        let first = word & abi::PAYLOAD_MASK;
        assert_ne!(first, left_address, "the left list is copied");
        assert_eq!(f.memory.load(first + 8), function);
        let second = f.memory.load(first + 16) & abi::PAYLOAD_MASK;
        assert_eq!(f.memory.load(second + 16), right, "the right list is shared");
        assert_eq!(f.helper(Helper::Concat, &[abi::NIL, right, f.region]), right);
        assert_eq!(f.helper(Helper::Concat, &[right, abi::NIL, f.region]), right);

        let fault = f.fault(Helper::Concat, &[right, a, f.region]);
        let expected = ops::concat(Value::list(vec![Value::Nat(3)]), Value::string("σ² ")).unwrap_err();
        assert_eq!(fault, expected);
    }

    #[test]
    fn primitives_run_as_in_the_interpreter() {
        let mut f = Fixture::new();
        let constructors = f.program.constructors.clone();
        let point = Value::data(&constructors[4], vec![Value::Real(1.0), Value::Int(-2)]);
        let apply = Value::data(&constructors[3], vec![Value::Int(-1), point.clone()]);
        let index = |prim: Prim| prim.index() as u64;
        let cases = [
            (Prim::Show, apply),
            (Prim::Show, Value::list(vec![Value::Real(f64::NAN), Value::string("q\"")])),
            (Prim::Chars, Value::string("√σ")),
            (Prim::FromChars, Value::list(vec![Value::Char('h'), Value::Char('ï')])),
            (Prim::Length, Value::string("σ²")),
            (Prim::Sqrt, Value::Real(2.0)),
            (Prim::Floor, Value::Real(-2.5)),
            (Prim::Exponent, Value::Real(1e300)),
            (Prim::IntOfNat, Value::Nat(1 << 90)),
            (Prim::Code, Value::Char('σ')),
            (Prim::IsNan, Value::Real(f64::NAN)),
        ];
        for (prim, argument) in &cases {
            let expected = ops::prim(*prim, std::slice::from_ref(argument)).unwrap();
            let word = f.word(argument);
            let result = f.helper(Helper::Prim1, &[index(*prim), word, f.region, 0]);
            let result = f.value(result);
            assert!(same(&result, &expected), "{prim:?} {argument} gave {result}, not {expected}");
        }
        let (x, k) = (f.word(&Value::Real(3.0)), f.word(&Value::Int(-1080)));
        let result = f.helper(Helper::Prim2, &[index(Prim::Scale), x, k, f.region, 0]);
        let expected = ops::prim(Prim::Scale, &[Value::Real(3.0), Value::Int(-1080)]).unwrap();
        assert!(same(&f.value(result), &expected));

        let message = f.word(&Value::string("the auction is closed"));
        let fault = f.fault(Helper::Prim1, &[index(Prim::Abort), message, f.region, 2]);
        let expected = ops::prim(Prim::Abort, &[Value::string("the auction is closed")]).unwrap_err();
        assert_eq!(fault, at(expected, span(30, 31)));
        let infinity = f.word(&Value::Real(f64::INFINITY));
        let fault = f.fault(Helper::Prim1, &[index(Prim::Floor), infinity, f.region, 0]);
        assert_eq!(fault.code, codes::E0410);
        assert_eq!(fault.message, "the floor of ∞ is outside ℤ");
        let fault = f.fault(Helper::Prim1, &[99, infinity, f.region, 0]);
        assert_eq!(fault.code, codes::E0412);
    }

    #[test]
    fn failures_record_the_interpreters_faults() {
        let mut f = Fixture::new();
        let constructors = f.program.constructors.clone();
        let scrutinee = Value::data(&constructors[3], vec![Value::Nat(1), Value::list(vec![Value::Unit])]);
        let word = f.word(&scrutinee);
        let fault = f.fault(Helper::MatchFailure, &[word, 1]);
        assert_eq!(fault, at(ops::match_failure(&scrutinee), span(10, 20)));
        assert_eq!(fault.message, "no rule matched Apply 1 [()]");

        let fault = f.fault(Helper::DepthExceeded, &[]);
        assert_eq!(fault, ops::depth_exceeded(7));
        assert_eq!(fault.message, "recursion deeper than 7 calls");

        let fault = f.fault(Helper::CellCycle, &[2]);
        assert_eq!(fault, ops::cycle("Main.v"));
    }

    #[test]
    fn unwinding_adds_callers_and_the_first_span() {
        let mut f = Fixture::new();
        let big = f.word(&Value::Nat(u128::MAX));
        let operation = arith_operation(ArithOp::Add, NumKind::Nat);
        assert_eq!(f.helper(Helper::Arith, &[operation, big, big, f.region, NO_SPAN]), FAIL);
        assert_eq!(f.helper(Helper::Unwind, &[0, 0]), FAIL);
        assert_eq!(f.helper(Helper::Unwind, &[0, 1]), FAIL);
        assert_eq!(f.helper(Helper::Unwind, &[NO_NAME, 2]), FAIL);
        assert_eq!(f.helper(Helper::Unwind, &[1, NO_SPAN]), FAIL);
        let fault = f.runtime.take_fault().unwrap();
        let expected = ops::arith(ArithOp::Add, NumKind::Nat, &Value::Nat(u128::MAX), &Value::Nat(u128::MAX));
        let expected = Box::new(expected.unwrap_err()).called_from("Main.f").at(span(3, 7));
        let expected = expected.called_from("Main.f").called_from("Main.g");
        assert_eq!(fault, *expected);
        assert_eq!(fault.trace, ["Main.f", "Main.g"]);
        assert_eq!(fault.repeats, [2, 1]);
    }

    #[test]
    fn a_function_stopped_by_the_depth_limit_is_left_out_of_the_trace() {
        let mut f = Fixture::new();
        assert_eq!(f.helper(Helper::DepthExceeded, &[]), FAIL);
        assert_eq!(f.helper(Helper::Unwind, &[0, 1]), FAIL);
        assert_eq!(f.helper(Helper::Unwind, &[0, 2]), FAIL);
        let fault = f.runtime.take_fault().unwrap();
        assert_eq!(fault.trace, ["Main.f"]);
        assert_eq!(fault.span, Some(span(10, 20)));
    }

    #[test]
    fn regions_grow_and_release_through_the_helpers() {
        let mut f = Fixture::new();
        let address = f.helper(Helper::RegionGrow, &[f.region, 40]);
        assert_eq!(f.memory.load(f.region), address + 40);
        assert_eq!(f.runtime.stats().chunks_in_use, 1);
        assert_eq!(f.helper(Helper::RegionRelease, &[f.region]), 0);
        assert_eq!(f.runtime.stats().chunks_in_use, 0);
        assert_eq!(f.memory.load(f.region + 16), 0);
    }
}
