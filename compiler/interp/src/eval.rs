//! Evaluation of one expression in a frame.
//!
//! `eval` loops through tail positions (`let` bodies, `if` branches, match
//! arms) instead of recursing, and keeps every bulky case in its own
//! function, so one Min call costs few and small Rust stack frames.

use std::rc::Rc;

use min_core::{ArithOp, CmpOp, Expr, Lambda, Lit, Match, NumKind, Otherwise};
use min_diagnostics::Span;
use min_diagnostics::codes;

use crate::arith;
use crate::compare;
use crate::display::quote;
use crate::error::{Fault, RuntimeError};
use crate::machine::{Frame, Machine, closure_frame, member_frame};
use crate::pattern;
use crate::prims;
use crate::real::canonical;
use crate::value::{Callable, Capture, Closure, Function, RecursiveGroup, Value};

/// Where a match leads: to an arm's expression, or straight to a value.
enum Outcome<'p> {
    Evaluate(&'p Expr),
    Value(Value<'p>),
}

impl<'p> Machine<'p> {
    /// The value of a function body in its own `frame`. A call in tail
    /// position reuses the frame instead of nesting (`loop n = … loop (n - 1)`
    /// runs in constant stack), so it is not counted against the depth limit.
    pub(crate) fn eval_body(&self, body: &'p Expr, frame: &mut Frame<'p>) -> Result<Value<'p>, Fault> {
        self.eval_in(body, frame, true)
    }

    /// For a saturated call of a global or a closure: its body and a fresh
    /// frame holding the evaluated arguments. `None` for other calls.
    #[inline(never)]
    fn tail_call(
        &self,
        function: &'p Expr,
        args: &'p [Expr],
        frame: &mut Frame<'p>,
    ) -> Result<Option<(&'p Expr, Frame<'p>)>, Fault> {
        match function {
            Expr::Global(name) => {
                let global = self.global(name)?;
                if global.arity == 0 || global.arity as usize != args.len() || self.checks_calls_of(name) {
                    // A call whose clauses are checked must come back to check them.
                    return Ok(None);
                }
                let values = self.eval_all(args, frame)?;
                self.observe(Some(&global.name), &values, true);
                Ok(Some((&global.body, Frame::new(values, global.frame_size, &global.name))))
            }
            Expr::Local(slot) => {
                let Value::Function(callee) = frame.get(*slot)? else { return Ok(None) };
                if callee.arity() != args.len() {
                    return Ok(None);
                }
                match &callee.callable {
                    Callable::Closure(closure) => {
                        let values = self.eval_all(args, frame)?;
                        self.observe(None, &values, true);
                        Ok(Some((&closure.lambda.body, closure_frame(closure, values)?)))
                    }
                    Callable::Recursive(group, index) => {
                        let values = self.eval_all(args, frame)?;
                        self.observe(None, &values, true);
                        Ok(Some(member_frame(group, *index, values)?))
                    }
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// The value of `expr` in `frame`. Only dispatch happens here, so that
    /// the frame of this function, which every nested Min call repeats,
    /// stays small.
    pub(crate) fn eval(&self, expr: &'p Expr, frame: &mut Frame<'p>) -> Result<Value<'p>, Fault> {
        self.eval_in(expr, frame, false)
    }

    /// `eval`, where `tail` says whether `expr` is a whole function body, so
    /// that its calls in tail position may replace `frame`.
    fn eval_in(&self, expr: &'p Expr, frame: &mut Frame<'p>, tail: bool) -> Result<Value<'p>, Fault> {
        let mut expr = expr;
        loop {
            expr = match expr {
                Expr::Let(slot, value, body) => {
                    self.eval_let(*slot, value, frame)?;
                    body
                }
                Expr::LetRec(bindings, body) => {
                    self.bind_recursive(bindings, frame)?;
                    body
                }
                Expr::If(condition, then, otherwise) => {
                    if self.eval_bool(condition, frame)? {
                        then
                    } else {
                        otherwise
                    }
                }
                Expr::Match(matching) => match self.select_arm(matching, frame)? {
                    Outcome::Evaluate(arm) => arm,
                    Outcome::Value(value) => return Ok(value),
                },
                // The right operand of a short-circuit operator is in tail position.
                Expr::And(a, b) => {
                    if !self.eval_bool(a, frame)? {
                        return Ok(Value::Bool(false));
                    }
                    b
                }
                Expr::Or(a, b) => {
                    if self.eval_bool(a, frame)? {
                        return Ok(Value::Bool(true));
                    }
                    b
                }
                Expr::Apply(function, args, span) if tail => {
                    match self.tail_call(function, args, frame).map_err(|fault| fault.at(*span))? {
                        Some((body, callee_frame)) => {
                            *frame = callee_frame;
                            body
                        }
                        None => return self.eval_apply(function, args, *span, frame),
                    }
                }
                Expr::Apply(function, args, span) => return self.eval_apply(function, args, *span, frame),
                Expr::Arith(op, kind, a, b, span) => return self.eval_arith(*op, *kind, a, b, *span, frame),
                Expr::Compare(op, a, b, span) => return self.eval_compare(*op, a, b, *span, frame),
                Expr::Local(slot) => return frame.get(*slot),
                _ => return self.eval_other(expr, frame),
            }
        }
    }

    /// Evaluates `value` into `slot`.
    #[inline(never)]
    fn eval_let(&self, slot: u32, value: &'p Expr, frame: &mut Frame<'p>) -> Result<(), Fault> {
        let value = self.eval(value, frame)?;
        frame.set(slot, value)
    }

    /// `a op b` on numbers.
    #[inline(never)]
    fn eval_arith(
        &self,
        op: ArithOp,
        kind: NumKind,
        a: &'p Expr,
        b: &'p Expr,
        span: Span,
        frame: &mut Frame<'p>,
    ) -> Result<Value<'p>, Fault> {
        let a = self.eval(a, frame)?;
        let b = self.eval(b, frame)?;
        arith::arith(op, kind, &a, &b).map_err(|fault| fault.at(span))
    }

    /// `a op b`, structurally.
    #[inline(never)]
    fn eval_compare(
        &self,
        op: CmpOp,
        a: &'p Expr,
        b: &'p Expr,
        span: Span,
        frame: &mut Frame<'p>,
    ) -> Result<Value<'p>, Fault> {
        let a = self.eval(a, frame)?;
        let b = self.eval(b, frame)?;
        compare::compare(op, &a, &b).map(Value::Bool).map_err(|fault| fault.at(span))
    }

    /// The value of an expression of the less common forms.
    #[inline(never)]
    fn eval_other(&self, expr: &'p Expr, frame: &mut Frame<'p>) -> Result<Value<'p>, Fault> {
        match expr {
            Expr::Lit(lit) => literal(lit),
            Expr::Global(name) => self.global_reference(name),
            Expr::Prim(prim) => {
                Ok(prims::constant(*prim).unwrap_or_else(|| Value::Function(Function::new(Callable::Prim(*prim)))))
            }
            Expr::Constructor(constructor) if constructor.arity == 0 => Ok(Value::data(constructor, Vec::new())),
            Expr::Constructor(constructor) => Ok(Value::Function(Function::new(Callable::Constructor(constructor)))),
            Expr::Lambda(lambda) => self.closure(lambda, frame),
            Expr::Pow(kind, base, exponent, span) => {
                let base = self.eval(base, frame)?;
                let exponent = self.eval(exponent, frame)?;
                arith::pow(*kind, &base, &exponent).map_err(|fault| fault.at(*span))
            }
            Expr::Neg(kind, operand, span) => {
                let operand = self.eval(operand, frame)?;
                arith::neg(*kind, &operand).map_err(|fault| fault.at(*span))
            }
            Expr::Not(a) => Ok(Value::Bool(!self.eval_bool(a, frame)?)),
            Expr::Concat(a, b) => {
                let a = self.eval(a, frame)?;
                let b = self.eval(b, frame)?;
                concat(a, b)
            }
            Expr::Cons(head, tail) => {
                let head = self.eval(head, frame)?;
                match self.eval(tail, frame)? {
                    tail @ (Value::Nil | Value::Cons(_)) => Ok(Value::cons(head, tail)),
                    other => Err(RuntimeError::ill_formed(format_args!("consing onto {}", other.kind()))),
                }
            }
            Expr::List(items) => Ok(Value::list(self.eval_all(items, frame)?)),
            Expr::Tuple(items) => Ok(Value::tuple(self.eval_all(items, frame)?)),
            Expr::Field(record, index) => {
                let record = self.eval(record, frame)?;
                field(&record, *index)
            }
            Expr::Update(record, updates, _) => self.eval_update(record, updates, frame),
            // The forms `eval` handles itself.
            Expr::Let(..)
            | Expr::LetRec(..)
            | Expr::If(..)
            | Expr::Match(..)
            | Expr::And(..)
            | Expr::Or(..)
            | Expr::Apply(..)
            | Expr::Arith(..)
            | Expr::Compare(..)
            | Expr::Local(_) => self.eval(expr, frame),
        }
    }

    /// The value of a boolean expression.
    fn eval_bool(&self, expr: &'p Expr, frame: &mut Frame<'p>) -> Result<bool, Fault> {
        match self.eval(expr, frame)? {
            Value::Bool(b) => Ok(b),
            other => Err(RuntimeError::ill_formed(format_args!("expected a boolean, found {}", other.kind()))),
        }
    }

    /// The values of `exprs`, left to right.
    fn eval_all(&self, exprs: &'p [Expr], frame: &mut Frame<'p>) -> Result<Vec<Value<'p>>, Fault> {
        exprs.iter().map(|expr| self.eval(expr, frame)).collect()
    }

    /// `function args`: the function first, then the arguments left to
    /// right. Calls of globals, saturated constructors and primitives skip
    /// building a function value.
    #[inline(never)]
    fn eval_apply(
        &self,
        function: &'p Expr,
        args: &'p [Expr],
        span: Span,
        frame: &mut Frame<'p>,
    ) -> Result<Value<'p>, Fault> {
        let result = match function {
            Expr::Global(name) => match self.global(name) {
                Ok(global) if global.arity as usize == args.len() => {
                    self.eval_all(args, frame).and_then(|args| self.run_global(global, args))
                }
                Ok(global) if global.arity > 0 => {
                    self.eval_all(args, frame).and_then(|args| self.apply_global(global, args))
                }
                Ok(_) => self.apply_expr(function, args, frame),
                Err(fault) => Err(fault),
            },
            Expr::Constructor(constructor) if constructor.arity as usize == args.len() && !args.is_empty() => {
                self.eval_all(args, frame).map(|fields| Value::data(constructor, fields))
            }
            Expr::Prim(prim) if prim.arity() as usize == args.len() && !args.is_empty() => {
                self.eval_all(args, frame).and_then(|args| prims::call(*prim, &args))
            }
            _ => self.apply_expr(function, args, frame),
        };
        result.map_err(|fault| fault.at(span))
    }

    /// `function args` by evaluating `function` to a value; a saturated
    /// call skips the currying loop.
    fn apply_expr(&self, function: &'p Expr, args: &'p [Expr], frame: &mut Frame<'p>) -> Result<Value<'p>, Fault> {
        let function = self.eval(function, frame)?;
        let args = self.eval_all(args, frame)?;
        match &function {
            Value::Function(callee) if callee.arity() == args.len() => self.invoke(callee, args),
            _ => self.apply_value(function, args),
        }
    }

    /// A closure of `lambda`, capturing from `frame`.
    fn closure(&self, lambda: &'p Lambda, frame: &Frame<'p>) -> Result<Value<'p>, Fault> {
        let captures = lambda.captures.iter().map(|(outer, _)| frame.get(*outer)).collect::<Result<_, _>>()?;
        let closure = Closure { lambda, captures, owner: frame.owner };
        Ok(Value::Function(Function::new(Callable::Closure(closure))))
    }

    /// Creates the closures of a `LetRec` and stores them in their slots.
    #[inline(never)]
    fn bind_recursive(&self, bindings: &'p [(u32, Lambda)], frame: &mut Frame<'p>) -> Result<(), Fault> {
        let member_of = |slot: u32| bindings.iter().position(|(member_slot, _)| *member_slot == slot);
        let mut captures = Vec::with_capacity(bindings.len());
        for (_, lambda) in bindings {
            let member_captures = lambda
                .captures
                .iter()
                .map(|(outer, _)| match member_of(*outer) {
                    Some(member) => Ok(Capture::Member(member)),
                    None => frame.get(*outer).map(Capture::Value),
                })
                .collect::<Result<Vec<_>, _>>()?;
            captures.push(member_captures);
        }
        let group = Rc::new(RecursiveGroup { members: bindings, captures, owner: frame.owner });
        for (index, (slot, _)) in bindings.iter().enumerate() {
            let member = Function::new(Callable::Recursive(Rc::clone(&group), index));
            frame.set(*slot, Value::Function(member))?;
        }
        Ok(())
    }

    /// Evaluates the scrutinee and picks the first arm that matches,
    /// binding its variables.
    #[inline(never)]
    fn select_arm(&self, matching: &'p Match, frame: &mut Frame<'p>) -> Result<Outcome<'p>, Fault> {
        let scrutinee = self.eval(&matching.scrutinee, frame)?;
        for (pattern, arm) in &matching.arms {
            let matched = pattern::matches(pattern, &scrutinee, &mut frame.slots);
            if matched.map_err(|fault| fault.at(matching.span))? {
                return Ok(Outcome::Evaluate(arm));
            }
        }
        match matching.otherwise {
            Otherwise::ReturnScrutinee => Ok(Outcome::Value(scrutinee)),
            Otherwise::Abort => Err(match_failure(&scrutinee).at(matching.span)),
        }
    }

    /// A copy of a record (or tuple) with some fields replaced.
    #[inline(never)]
    fn eval_update(
        &self,
        record: &'p Expr,
        updates: &'p [(u32, Expr)],
        frame: &mut Frame<'p>,
    ) -> Result<Value<'p>, Fault> {
        let record = self.eval(record, frame)?;
        let (constructor, mut fields) = match &record {
            Value::Data(data) => (Some(data.constructor), data.fields.clone()),
            Value::Tuple(items) => (None, items.to_vec()),
            other => return Err(RuntimeError::ill_formed(format_args!("updating {}", other.kind()))),
        };
        for (index, value) in updates {
            let value = self.eval(value, frame)?;
            let Some(target) = fields.get_mut(*index as usize) else {
                return Err(RuntimeError::ill_formed(format_args!("updating field {index} of {}", record.kind())));
            };
            *target = value;
        }
        Ok(match constructor {
            Some(constructor) => Value::data(constructor, fields),
            None => Value::tuple(fields),
        })
    }
}

/// The value of a literal.
fn literal<'p>(lit: &Lit) -> Result<Value<'p>, Fault> {
    Ok(match lit {
        Lit::Nat(n) => Value::Nat(*n),
        Lit::Int(i) | Lit::Dyn(i) => Value::Int(*i),
        Lit::Real(bits) => Value::Real(canonical(f64::from_bits(*bits))),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Char(c) => Value::Char(*c),
        Lit::Str(s) => Value::string(s),
        Lit::Unit => Value::Unit,
        Lit::PendingInt(..) | Lit::PendingChar(..) => {
            return Err(RuntimeError::ill_formed("a literal left unresolved by the checker"));
        }
    })
}

/// Field `index` of a constructor value or tuple.
fn field<'p>(record: &Value<'p>, index: u32) -> Result<Value<'p>, Fault> {
    let found = match record {
        Value::Data(data) => data.fields.get(index as usize),
        Value::Tuple(items) => items.get(index as usize),
        _ => None,
    };
    found.cloned().ok_or_else(|| RuntimeError::ill_formed(format_args!("field {index} of {}", record.kind())))
}

/// `E0414`: `scrutinee` matched none of the arms.
pub(crate) fn match_failure(scrutinee: &Value<'_>) -> Fault {
    RuntimeError::new(codes::E0414, format!("no rule matched {}", quote(scrutinee)))
}

/// `a ++ b` on strings or lists. The left list is copied, the right shared.
pub(crate) fn concat<'p>(a: Value<'p>, b: Value<'p>) -> Result<Value<'p>, Fault> {
    match (&a, &b) {
        (Value::Str(x), Value::Str(y)) => Ok(Value::Str(Rc::from(format!("{x}{y}")))),
        (Value::Str(x), Value::Char(y)) => Ok(Value::Str(Rc::from(format!("{x}{y}")))),
        (Value::Char(x), Value::Str(y)) => Ok(Value::Str(Rc::from(format!("{x}{y}")))),
        (Value::Char(x), Value::Char(y)) => Ok(Value::Str(Rc::from(format!("{x}{y}")))),
        (Value::Nil | Value::Cons(_), Value::Nil) => Ok(a),
        (Value::Nil, Value::Cons(_)) => Ok(b),
        (Value::Cons(_), Value::Cons(_)) => {
            let prefix: Vec<Value<'p>> = a.elements().cloned().collect();
            Ok(prefix.into_iter().rev().fold(b, |tail, head| Value::cons(head, tail)))
        }
        _ => Err(RuntimeError::ill_formed(format_args!("concatenating {} and {}", a.kind(), b.kind()))),
    }
}
