//! Expressions: each core expression becomes statements that leave its
//! value in a variable (or a constant), or, in tail position, statements
//! that return it.

use min_core::{Expr as CoreExpr, Lambda, Lit, Prim};

use super::function::{FnBuilder, closure_env_offset, eq, field_offset, load, or};
use crate::abi::{self, FALSE, TRUE};
use crate::regions;
use crate::{BinOp, Expr, Stmt};

impl FnBuilder<'_, '_> {
    /// Emits the evaluation of `expr` in tail position: every path returns.
    pub(crate) fn tail(&mut self, expr: &CoreExpr) {
        match expr {
            CoreExpr::Let(slot, value, body) => {
                self.bind(*slot, value);
                self.tail(body);
            }
            CoreExpr::LetRec(bindings, body) => {
                self.bind_recursive(bindings);
                self.tail(body);
            }
            CoreExpr::If(condition, then, otherwise) => {
                let condition = self.value(condition, false);
                let then = self.nested(|builder| builder.tail(then));
                let otherwise = self.nested(|builder| builder.tail(otherwise));
                self.emit(Stmt::If(eq(condition, Expr::Const(TRUE)), then, otherwise));
            }
            CoreExpr::Match(matching) => self.match_tail(matching),
            CoreExpr::And(a, b) | CoreExpr::Or(a, b) => {
                let is_and = matches!(expr, CoreExpr::And(..));
                let a = self.value(a, false);
                let decided = Expr::Const(if is_and { FALSE } else { TRUE });
                let short = self.nested(|builder| builder.ret(decided.clone()));
                let rest = self.nested(|builder| builder.tail(b));
                self.emit(Stmt::If(eq(a, decided), short, rest));
            }
            CoreExpr::Apply(function, args, span) => {
                if let Some(value) = self.apply(function, args, *span, true, true) {
                    self.ret(value);
                }
            }
            _ => {
                let value = self.value(expr, true);
                self.ret(value);
            }
        }
    }

    /// Emits the evaluation of `expr` and returns its value (a variable or a
    /// constant). `escapes` says whether the value may reach the result.
    pub(crate) fn value(&mut self, expr: &CoreExpr, escapes: bool) -> Expr {
        match expr {
            CoreExpr::Lit(lit) => self.literal(lit),
            CoreExpr::Local(slot) => Expr::Var(self.slot(*slot)),
            CoreExpr::Global(name) => self.global_value(name),
            CoreExpr::Prim(Prim::Infinity) => Expr::Const(f64::INFINITY.to_bits()),
            CoreExpr::Prim(Prim::Nan) => Expr::Const(abi::CANONICAL_NAN),
            CoreExpr::Prim(prim) => Expr::Static(self.pb.prim_closure(*prim)),
            CoreExpr::Constructor(constructor) if constructor.arity == 0 => {
                let id = self.pb.constructor(constructor);
                Expr::Const(abi::atom_of_constructor(id, constructor.tag))
            }
            CoreExpr::Constructor(constructor) => Expr::Static(self.pb.constructor_closure(constructor)),
            CoreExpr::Apply(function, args, span) => {
                self.apply(function, args, *span, escapes, false).expect("a call outside tail position has a value")
            }
            CoreExpr::Lambda(lambda) => self.closure(lambda, escapes),
            CoreExpr::Let(slot, value, body) => {
                self.bind(*slot, value);
                self.value(body, escapes)
            }
            CoreExpr::LetRec(bindings, body) => {
                self.bind_recursive(bindings);
                self.value(body, escapes)
            }
            CoreExpr::If(condition, then, otherwise) => {
                let condition = self.value(condition, false);
                let result = self.var();
                let then = self.nested(|builder| {
                    let value = builder.value(then, escapes);
                    builder.emit(Stmt::Set(result, value));
                });
                let otherwise = self.nested(|builder| {
                    let value = builder.value(otherwise, escapes);
                    builder.emit(Stmt::Set(result, value));
                });
                self.emit(Stmt::If(eq(condition, Expr::Const(TRUE)), then, otherwise));
                Expr::Var(result)
            }
            CoreExpr::Match(matching) => self.match_value(matching, escapes),
            CoreExpr::Arith(op, kind, a, b, span) => {
                let a = self.value(a, false);
                let b = self.value(b, false);
                self.arith(*op, *kind, a, b, *span, escapes)
            }
            // `x²` on reals: square-and-multiply computes 1.0 · (x · x), which is x · x.
            CoreExpr::Pow(min_core::NumKind::Real, base, exponent, _)
                if matches!(**exponent, CoreExpr::Lit(Lit::Nat(2))) =>
            {
                let base = self.value(base, false);
                let square = self.temp(Expr::Binary(crate::BinOp::FMul, Box::new(base.clone()), Box::new(base)));
                self.canonical(square)
            }
            CoreExpr::Pow(kind, base, exponent, span) => {
                let base = self.value(base, false);
                let exponent = self.value(exponent, false);
                let span = self.pb.span(*span);
                let region = self.region(escapes);
                let kind = Expr::Const(crate::num_kind_code(*kind));
                self.helper(crate::Helper::Pow, vec![kind, base, exponent, region, Expr::Const(span)])
            }
            CoreExpr::Neg(kind, a, span) => {
                let a = self.value(a, false);
                self.neg(*kind, a, *span, escapes)
            }
            CoreExpr::Compare(op, a, b, span) => {
                let a = self.value(a, false);
                let b = self.value(b, false);
                self.compare(*op, a, b, *span)
            }
            CoreExpr::And(a, b) | CoreExpr::Or(a, b) => {
                let is_and = matches!(expr, CoreExpr::And(..));
                let decided = Expr::Const(if is_and { FALSE } else { TRUE });
                let a = self.value(a, false);
                let result = self.var();
                let rest = self.nested(|builder| {
                    let value = builder.value(b, false);
                    builder.emit(Stmt::Set(result, value));
                });
                self.emit(Stmt::If(eq(a, decided.clone()), vec![Stmt::Set(result, decided)], rest));
                Expr::Var(result)
            }
            CoreExpr::Not(a) => {
                let a = self.value(a, false);
                self.temp(Expr::Binary(BinOp::Xor, Box::new(a), Box::new(Expr::Const(1))))
            }
            CoreExpr::Concat(a, b) => {
                let a = self.value(a, escapes);
                let b = self.value(b, escapes);
                let region = self.region(escapes);
                self.helper(crate::Helper::Concat, vec![a, b, region])
            }
            CoreExpr::Cons(head, tail) => {
                let head = self.value(head, escapes);
                let tail = self.value(tail, escapes);
                self.cons(head, tail, escapes)
            }
            CoreExpr::List(items) => {
                let items: Vec<Expr> = items.iter().map(|item| self.value(item, escapes)).collect();
                let mut list = Expr::Const(abi::NIL);
                for item in items.into_iter().rev() {
                    list = self.cons(item, list, escapes);
                }
                list
            }
            CoreExpr::Tuple(items) => {
                let mut items: Vec<Expr> = items.iter().map(|item| self.value(item, escapes)).collect();
                match items.len() {
                    0 => Expr::Const(abi::UNIT),
                    1 => items.pop().expect("one item"),
                    n => {
                        let header = Expr::Const(abi::header(abi::Kind::Tuple, n as u32, 0));
                        let region = self.region(escapes);
                        self.object(region, header, items)
                    }
                }
            }
            CoreExpr::Field(record, index) => {
                let record = self.value(record, escapes);
                let address = self.untag(record);
                self.temp(load(address, field_offset(*index as usize)))
            }
            CoreExpr::Update(record, updates, _) => self.update(record, updates, escapes),
        }
    }

    /// Evaluates `value` into a slot.
    fn bind(&mut self, slot: u32, value: &CoreExpr) {
        let escapes = self.escaping.get(slot as usize).copied().unwrap_or(true);
        let value = self.value(value, escapes);
        let var = self.slot(slot);
        self.emit(Stmt::Set(var, value));
    }

    /// The value of a literal.
    fn literal(&mut self, lit: &Lit) -> Expr {
        Expr::Const(match lit {
            Lit::Nat(n) => match abi::small_nat(*n) {
                Some(word) => word,
                None => return Expr::Static(self.pb.big(abi::Kind::BigNat, *n)),
            },
            Lit::Int(i) | Lit::Dyn(i) => match abi::small_int(*i) {
                Some(word) => word,
                None => return Expr::Static(self.pb.big(abi::Kind::BigInt, *i as u128)),
            },
            Lit::Real(bits) => abi::real_word(f64::from_bits(*bits)),
            Lit::Bool(b) => abi::bool_word(*b),
            Lit::Char(c) => abi::char_word(*c),
            Lit::Str(text) => return Expr::Static(self.pb.string(text)),
            Lit::Unit => abi::UNIT,
            // The checker resolves every literal; an unresolved one reads as unit.
            Lit::PendingInt(..) | Lit::PendingChar(..) => abi::UNIT,
        })
    }

    /// A global used as a value: the static closure of a function, or the
    /// value of a zero-argument global.
    fn global_value(&mut self, name: &str) -> Expr {
        let Some(info) = self.pb.global(name) else {
            return Expr::Const(abi::UNIT);
        };
        if info.cell.is_some() {
            let call =
                Expr::Call(info.function, vec![Expr::Var(super::function::DEST), Expr::Var(super::function::SCRATCH)]);
            let value = self.temp(call);
            self.fail_if(&value);
            value
        } else {
            Expr::Static(self.pb.global_closure(name).expect("the global exists"))
        }
    }

    /// A list cell.
    fn cons(&mut self, head: Expr, tail: Expr, escapes: bool) -> Expr {
        let region = self.region(escapes);
        self.object(region, Expr::Const(abi::header(abi::Kind::Cons, 0, 0)), vec![head, tail])
    }

    /// A closure of `lambda`, capturing from this frame.
    fn closure(&mut self, lambda: &Lambda, escapes: bool) -> Expr {
        let code = self.lambda_code(lambda);
        let header = abi::header(abi::Kind::Closure, lambda.params, lambda.captures.len() as u32);
        let mut words = vec![Expr::Code(code)];
        words.extend(lambda.captures.iter().map(|(outer, _)| Expr::Var(self.slot(*outer))));
        let region = self.region(escapes);
        self.object(region, Expr::Const(header), words)
    }

    /// Lowers a lambda's body to its own function.
    fn lambda_code(&mut self, lambda: &Lambda) -> crate::FuncId {
        let name = self.pb.lambda_name(&self.owner);
        let id = self.pb.reserve(&name);
        let owner = self.owner.clone();
        let function = FnBuilder::lower_lambda(self.pb, &owner, lambda);
        self.pb.define(id, function);
        id
    }

    /// Creates the closures of a recursive group: all are allocated first,
    /// so that each can capture the others, then filled in.
    fn bind_recursive(&mut self, bindings: &[(u32, Lambda)]) {
        let escapes = regions::group_escapes(&self.escaping, bindings);
        let region = self.region(escapes);
        let mut addresses = Vec::new();
        for (slot, lambda) in bindings {
            let bytes = abi::words(lambda.captures.len() as u32 + 2);
            let address = self.alloc(region.clone(), Expr::Const(bytes));
            let var = self.slot(*slot);
            self.emit(Stmt::Set(var, or(address.clone(), Expr::Const(abi::TAG_PTR))));
            addresses.push(address);
        }
        for ((_, lambda), address) in bindings.iter().zip(addresses) {
            let code = self.lambda_code(lambda);
            let header = abi::header(abi::Kind::Closure, lambda.params, lambda.captures.len() as u32);
            self.emit(Stmt::Store(address.clone(), 0, Expr::Const(header)));
            self.emit(Stmt::Store(address.clone(), 8, Expr::Code(code)));
            for (index, (outer, _)) in lambda.captures.iter().enumerate() {
                let value = Expr::Var(self.slot(*outer));
                self.emit(Stmt::Store(address.clone(), closure_env_offset(index), value));
            }
        }
    }

    /// A copy of a record with some fields replaced. The record's arity is
    /// in its header; the copy is unrolled up to the largest arity.
    fn update(&mut self, record: &CoreExpr, updates: &[(u32, CoreExpr)], escapes: bool) -> Expr {
        let record = self.value(record, escapes);
        let values: Vec<(u32, Expr)> =
            updates.iter().map(|(index, value)| (*index, self.value(value, escapes))).collect();
        let source = self.untag(record);
        let header = self.temp(load(source.clone(), 0));
        let arity = self.temp(Expr::Binary(
            BinOp::ShrU,
            Box::new(header.clone()),
            Box::new(Expr::Const(abi::DATA_ARITY_SHIFT as u64)),
        ));
        let bytes = self.temp(Expr::Binary(
            BinOp::Shl,
            Box::new(super::function::add(arity.clone(), Expr::Const(1))),
            Box::new(Expr::Const(3)),
        ));
        let region = self.region(escapes);
        let address = self.alloc(region, bytes);
        self.emit(Stmt::Store(address.clone(), 0, header));
        let max = self.pb.max_arity.max(updates.iter().map(|(index, _)| index + 1).max().unwrap_or(0));
        for index in 0..max as usize {
            let offset = field_offset(index);
            let copy = Stmt::Store(address.clone(), offset, load(source.clone(), offset));
            let present = Expr::Binary(BinOp::LtU, Box::new(Expr::Const(index as u64)), Box::new(arity.clone()));
            self.emit(Stmt::If(present, vec![copy], Vec::new()));
        }
        for (index, value) in values {
            self.emit(Stmt::Store(address.clone(), field_offset(index as usize), value));
        }
        self.temp(or(address, Expr::Const(abi::TAG_PTR)))
    }
}
