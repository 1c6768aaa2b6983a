//! The hand-built fixture: small builders of core IR, so that each test
//! reads close to the Min program it stands for. There is no lowering to
//! produce IR from source yet; these builders are what the tests run.

#![allow(dead_code)]

use min_core::{
    ArithOp, CmpOp, Constructor, Expr, Global, Lambda, Lit, Match, Module, NumKind, Otherwise, Pattern, Prim,
};
use min_diagnostics::{FileId, Span};
use min_interp::{Machine, RuntimeError, Value};

/// The span `start..end` of file 0.
pub fn span(start: usize, end: usize) -> Span {
    Span::new(FileId(0), start, end)
}

/// A span for expressions whose position no test looks at.
pub fn anywhere() -> Span {
    span(0, 0)
}

pub fn nat(n: u128) -> Expr {
    Expr::Lit(Lit::Nat(n))
}

pub fn int(i: i128) -> Expr {
    Expr::Lit(Lit::Int(i))
}

/// An integer literal inside a function generic over numbers.
pub fn generic(i: i128) -> Expr {
    Expr::Lit(Lit::Dyn(i))
}

pub fn real(x: f64) -> Expr {
    Expr::Lit(Lit::Real(x.to_bits()))
}

pub fn boolean(b: bool) -> Expr {
    Expr::Lit(Lit::Bool(b))
}

pub fn string(s: &str) -> Expr {
    Expr::Lit(Lit::Str(s.to_string()))
}

pub fn character(c: char) -> Expr {
    Expr::Lit(Lit::Char(c))
}

pub fn local(slot: u32) -> Expr {
    Expr::Local(slot)
}

pub fn global(name: &str) -> Expr {
    Expr::Global(name.to_string())
}

pub fn prim(prim: Prim) -> Expr {
    Expr::Prim(prim)
}

pub fn apply(function: Expr, args: Vec<Expr>) -> Expr {
    Expr::Apply(Box::new(function), args, anywhere())
}

pub fn apply_at(function: Expr, args: Vec<Expr>, at: Span) -> Expr {
    Expr::Apply(Box::new(function), args, at)
}

pub fn arith(op: ArithOp, kind: NumKind, a: Expr, b: Expr) -> Expr {
    Expr::Arith(op, kind, Box::new(a), Box::new(b), anywhere())
}

pub fn arith_at(op: ArithOp, kind: NumKind, a: Expr, b: Expr, at: Span) -> Expr {
    Expr::Arith(op, kind, Box::new(a), Box::new(b), at)
}

pub fn pow(kind: NumKind, base: Expr, exponent: Expr) -> Expr {
    Expr::Pow(kind, Box::new(base), Box::new(exponent), anywhere())
}

pub fn neg(kind: NumKind, operand: Expr) -> Expr {
    Expr::Neg(kind, Box::new(operand), anywhere())
}

pub fn compare(op: CmpOp, a: Expr, b: Expr) -> Expr {
    Expr::Compare(op, Box::new(a), Box::new(b), anywhere())
}

pub fn if_(condition: Expr, then: Expr, otherwise: Expr) -> Expr {
    Expr::If(Box::new(condition), Box::new(then), Box::new(otherwise))
}

pub fn let_(slot: u32, value: Expr, body: Expr) -> Expr {
    Expr::Let(slot, Box::new(value), Box::new(body))
}

/// A lambda of `params` parameters; `captures` are (outer slot, inner slot).
pub fn lambda(params: u32, captures: &[(u32, u32)], frame_size: u32, body: Expr) -> Lambda {
    Lambda { params, captures: captures.to_vec(), frame_size, body, slots: Vec::new() }
}

pub fn closure(params: u32, captures: &[(u32, u32)], frame_size: u32, body: Expr) -> Expr {
    Expr::Lambda(Box::new(lambda(params, captures, frame_size, body)))
}

pub fn matching(scrutinee: Expr, arms: Vec<(Pattern, Expr)>, otherwise: Otherwise, at: Span) -> Expr {
    Expr::Match(Box::new(Match { scrutinee, arms, otherwise, span: at }))
}

pub fn list(items: Vec<Expr>) -> Expr {
    Expr::List(items)
}

pub fn tuple(items: Vec<Expr>) -> Expr {
    Expr::Tuple(items)
}

/// A constructor with positional fields.
pub fn variant(name: &str, tag: u32, arity: u32) -> Constructor {
    Constructor { name: name.to_string(), tag, arity, fields: Vec::new(), record: false }
}

/// A constructor with named fields (`record` for a record type).
pub fn named(name: &str, tag: u32, fields: &[&str], record: bool) -> Constructor {
    let fields: Vec<String> = fields.iter().map(|field| field.to_string()).collect();
    Constructor { name: name.to_string(), tag, arity: fields.len() as u32, fields, record }
}

/// `constructor args`, or the constructor alone when `args` is empty.
pub fn build(constructor: &Constructor, args: Vec<Expr>) -> Expr {
    let head = Expr::Constructor(constructor.clone());
    if args.is_empty() { head } else { apply(head, args) }
}

/// A top-level definition.
pub fn def(name: &str, arity: u32, frame_size: u32, body: Expr) -> Global {
    Global {
        name: name.to_string(),
        arity,
        frame_size,
        body,
        span: anywhere(),
        ty: Default::default(),
        slots: Vec::new(),
    }
}

/// The one-module program `Main`.
pub fn program(globals: Vec<Global>) -> Vec<Module> {
    vec![Module { name: "Main".to_string(), globals, types: Vec::new(), specs: Vec::new() }]
}

/// The value of the zero-arity global `Main.main` of a program whose only
/// definition it is.
pub fn run(body: Expr, frame_size: u32) -> Result<String, RuntimeError> {
    let modules = program(vec![def("Main.main", 0, frame_size, body)]);
    Machine::new(&modules).call("Main.main", Vec::new()).map(|value| value.to_string())
}

/// The error of evaluating `body` as `Main.main`.
pub fn fault(body: Expr) -> RuntimeError {
    match run(body, 4) {
        Ok(value) => panic!("expected a run-time error, got {value}"),
        Err(error) => error,
    }
}

/// The real value of `body` as `Main.main`.
pub fn real_result(body: Expr) -> f64 {
    let modules = program(vec![def("Main.main", 0, 4, body)]);
    match Machine::new(&modules).call("Main.main", Vec::new()) {
        Ok(Value::Real(x)) => x,
        other => panic!("expected a real, got {other:?}"),
    }
}
