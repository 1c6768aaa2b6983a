//! Shorthands for hand-written LIR programs, and a stand-in for the run-time
//! library that records its calls.

#![allow(dead_code)]

use min_lir::host::{Backend, Host, Memory};
use min_lir::{BinOp, Export, Expr, FuncId, Function, Helper, Program, Stmt, UnOp, Var};
use min_wasm::{WASM_STACK_BYTES_DEFAULT, WasmBackend};

pub fn c(word: u64) -> Expr {
    Expr::Const(word)
}

pub fn v(var: Var) -> Expr {
    Expr::Var(var)
}

pub fn un(op: UnOp, a: Expr) -> Expr {
    Expr::Unary(op, Box::new(a))
}

pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

pub fn load(address: Expr, offset: i32) -> Expr {
    Expr::Load(Box::new(address), offset)
}

pub fn ret(value: Expr) -> Stmt {
    Stmt::Return(value)
}

/// A function of `params` parameters and `vars` variables.
pub fn func(name: &str, params: u32, vars: u32, body: Vec<Stmt>) -> Function {
    Function { name: name.to_string(), params, vars, body }
}

/// A program of these functions, each exported as `Test.<its name>`.
pub fn program(functions: Vec<Function>) -> Program {
    let exports = functions
        .iter()
        .enumerate()
        .map(|(id, function)| Export { name: format!("Test.{}", function.name), function: id as FuncId, arity: 0 })
        .collect();
    Program { functions, exports, ..Program::default() }
}

/// A backend of a program, with the default stack limit.
pub fn backend(program: &Program) -> WasmBackend {
    WasmBackend::compile(program, WASM_STACK_BYTES_DEFAULT).expect("the test program compiles")
}

/// Runs function `function` of a fresh backend of `program`.
pub fn run(program: &Program, function: FuncId, args: &[u64]) -> u64 {
    backend(program).invoke(function, args, &mut StandInHost::default())
}

/// `Prim1` with this as its first argument makes [`StandInHost`] treat the
/// second as an address: it returns the word there and stores that word
/// plus one in the next.
pub const PROBE: u64 = 0xD0D0;

/// A stand-in for the run-time library. Each call is recorded; the result
/// is [`StandInHost::answer`], except for `RegionGrow` (which allocates with
/// [`Memory::grow`] and returns the address) and `Prim1` with [`PROBE`].
#[derive(Default)]
pub struct StandInHost {
    pub calls: Vec<(Helper, Vec<u64>)>,
}

impl StandInHost {
    /// What an ordinary helper call returns: its name's length in the top
    /// byte, then a checksum of the arguments that depends on their order.
    pub fn answer(helper: Helper, args: &[u64]) -> u64 {
        let checksum = args.iter().fold(7u64, |sum, &arg| sum.wrapping_mul(31).wrapping_add(arg));
        (helper.name().len() as u64) << 56 | checksum & ((1 << 56) - 1)
    }
}

impl Host for StandInHost {
    fn helper(&mut self, memory: &mut dyn Memory, helper: Helper, args: &[u64]) -> u64 {
        assert_eq!(args.len(), helper.arity(), "{} called with {args:?}", helper.name());
        self.calls.push((helper, args.to_vec()));
        match helper {
            Helper::RegionGrow => {
                let address = memory.grow(args[1]).expect("memory left");
                assert!(memory.read(address, args[1] as usize).iter().all(|byte| *byte == 0));
                memory.store(args[0], address + args[1]);
                address
            }
            Helper::Prim1 if args[0] == PROBE => {
                let word = memory.load(args[1]);
                memory.store(args[1] + 8, word + 1);
                word
            }
            _ => StandInHost::answer(helper, args),
        }
    }
}
