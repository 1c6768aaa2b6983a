//! Building LIR by hand, and a stand-in for the run-time library.

use min_jit::JitBackend;
use min_lir::host::{Backend, Host, Memory};
use min_lir::{BinOp, Expr, FuncId, Function, Helper, Program, Stmt, UnOp, abi};

pub fn c(word: u64) -> Expr {
    Expr::Const(word)
}

pub fn v(var: u32) -> Expr {
    Expr::Var(var)
}

pub fn bin(op: BinOp, left: Expr, right: Expr) -> Expr {
    Expr::Binary(op, Box::new(left), Box::new(right))
}

pub fn un(op: UnOp, operand: Expr) -> Expr {
    Expr::Unary(op, Box::new(operand))
}

pub fn load(address: Expr, offset: i32) -> Expr {
    Expr::Load(Box::new(address), offset)
}

pub fn call_indirect(code: Expr, args: Vec<Expr>) -> Expr {
    Expr::CallIndirect(Box::new(code), args)
}

pub fn ret(value: Expr) -> Stmt {
    Stmt::Return(value)
}

pub fn if_(condition: Expr, then: Vec<Stmt>, otherwise: Vec<Stmt>) -> Stmt {
    Stmt::If(condition, then, otherwise)
}

pub fn function(name: &str, params: u32, vars: u32, body: Vec<Stmt>) -> Function {
    Function { name: name.to_string(), params, vars, body }
}

pub fn program(functions: Vec<Function>) -> Program {
    Program { functions, ..Program::default() }
}

pub fn compile(program: &Program) -> JitBackend {
    match JitBackend::compile(program) {
        Ok(backend) => backend,
        Err(error) => panic!("{error}"),
    }
}

/// Calls a function with a fresh [`TestHost`].
pub fn run(backend: &mut JitBackend, function: FuncId, args: &[u64]) -> u64 {
    backend.invoke(function, args, &mut TestHost::default())
}

/// The run-time library's stand-in: grows regions from the backend's
/// memory, records every other helper call and answers it with a word that
/// names the helper and its arguments.
#[derive(Default)]
pub struct TestHost {
    pub calls: Vec<(Helper, Vec<u64>)>,
}

/// What [`TestHost`] answers to a helper other than the region ones.
pub fn answer(helper: Helper, args: &[u64]) -> u64 {
    let index = Helper::ALL.iter().position(|other| *other == helper).unwrap() as u64;
    args.iter().fold(index * 1_000_000, |sum, arg| sum.wrapping_mul(31).wrapping_add(*arg))
}

impl Host for TestHost {
    fn helper(&mut self, memory: &mut dyn Memory, helper: Helper, args: &[u64]) -> u64 {
        assert_eq!(args.len(), helper.arity());
        self.calls.push((helper, args.to_vec()));
        match helper {
            Helper::RegionGrow => {
                let (region, bytes) = (args[0], args[1]);
                let chunk_bytes = bytes.max(4096);
                let Some(chunk) = memory.grow(chunk_bytes) else {
                    return abi::FAIL;
                };
                memory.store(region + abi::REGION_CURSOR as u64, chunk + bytes);
                memory.store(region + abi::REGION_LIMIT as u64, chunk + chunk_bytes);
                chunk
            }
            Helper::RegionRelease => 0,
            _ => answer(helper, args),
        }
    }
}

/// Some helper that takes `arity` arguments, other than the region ones
/// (which [`TestHost`] really runs).
pub fn helper_of_arity(arity: usize) -> Helper {
    let answered = |helper: &&Helper| !matches!(helper, Helper::RegionGrow | Helper::RegionRelease);
    *Helper::ALL
        .iter()
        .filter(answered)
        .find(|helper| helper.arity() == arity)
        .expect("a helper of every arity up to 5")
}
