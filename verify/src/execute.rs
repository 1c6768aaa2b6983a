//! Symbolic execution of one function body of the core IR: every operation
//! that can abort becomes an [`Obligation`] holding its failure condition
//! and the facts of the path that reaches it (the conditions of the
//! enclosing `if`s and matches, and that the operations before it did not
//! fail). Branches join into `ite` values, so the walk is linear in the
//! size of the body.

use crate::conservation;
use crate::obligation::{Check, Fact, Kind, Obligation};
use crate::program::{Program, prim_can_abort};
use crate::symbolic::{ListSym, Rest, Sym, Tail, Taint, all_of, any_of, bounds, in_int_range, in_nat_range, join};
use min_core::{
    ArithOp, CmpOp, Expr, Global, Lambda, Lit, Match, NumKind, Otherwise, Pattern, Prim, Slot, Spec, SpecKind, Ty,
};
use min_diagnostics::Span;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use z3::ast::{Bool, Int};

/// The Prelude's `abort`, which is `Prim.abort`: a call of it is a declared abort too.
const PRELUDE_ABORT: &str = "Prelude.abort";

/// How deep data inside data is modelled field by field.
const DATA_DEPTH: u32 = 4;

/// How many unknown numbers, booleans and constructor tags one body's
/// parameters may make (recursive data types with many constructors grow
/// fast with depth).
const UNKNOWNS_LIMIT: u32 = 500;

/// A body to walk: a global, or a local function found inside one.
pub(crate) enum Unit<'p> {
    /// A top-level definition: its parameters are the inputs.
    Global(&'p Global),
    /// A local function of `owner`: its parameters and captures are
    /// unknown. One defined by a `let rec` group knows its place in it.
    Lambda(&'p str, &'p Lambda, Span, Option<LocalGroup<'p>>),
}

/// Where a local function defined by a `let rec` group (the local
/// functions of one `let` or `@` that may call each other) sits in it.
#[derive(Clone, Copy)]
pub(crate) struct LocalGroup<'p> {
    /// The group's functions: each one's slot in the enclosing frame, and
    /// its definition.
    pub bindings: &'p [(u32, Lambda)],
    /// What each slot of the enclosing frame holds (the functions' names).
    pub frame: &'p [Slot],
    /// This function's index among `bindings`.
    pub index: usize,
}

impl<'p> LocalGroup<'p> {
    /// The name of the group's function `index`, as written.
    pub(crate) fn name(&self, index: usize) -> String {
        let slot = self.bindings.get(index).and_then(|(slot, _)| self.frame.get(*slot as usize));
        slot.map_or_else(String::new, |slot| slot.name.to_string())
    }

    /// The slots of `lambda`'s frame through which it reaches functions of
    /// the group (its captures of them), with their indices.
    pub(crate) fn reached_from(&self, lambda: &Lambda) -> Vec<(u32, usize)> {
        lambda
            .captures
            .iter()
            .filter_map(|&(outer, inner)| {
                let member = self.bindings.iter().position(|(slot, _)| *slot == outer)?;
                Some((inner, member))
            })
            .collect()
    }
}

/// The result of walking a global: its obligations, and its parameters'
/// symbolic values for reading a counterexample.
pub(crate) struct Walked<'p> {
    /// The obligations of the global and of the local functions inside it.
    pub obligations: Vec<Obligation>,
    /// The symbolic value of each parameter, with its type.
    pub parameters: Vec<(Sym, Ty)>,
    /// The local functions found, to be walked too.
    pub lambdas: Vec<Unit<'p>>,
    /// Whether the body refers to a global that may abort.
    pub refers_to_aborting: bool,
    /// The ranges of the unit's unknown values.
    pub axioms: Vec<Bool>,
    /// The facts at the entry of the global: its `requires` clauses.
    pub entry: Vec<Bool>,
    /// The calls of the global's body (outside its local functions) to
    /// globals of its recursion group, or of a local function's body to
    /// functions of its `let rec` group, for the termination check.
    pub calls: Vec<RecursiveCall>,
}

/// A call from a function's body to a function of its recursion group,
/// itself included.
pub(crate) struct RecursiveCall {
    /// The function called: a global's qualified name, or a local
    /// function's name as written.
    pub callee: String,
    /// The values of its arguments.
    pub arguments: Vec<Sym>,
    /// The facts of the path that reaches the call.
    pub path: Vec<Fact>,
}

/// Walks one unit.
pub(crate) fn walk<'p>(program: &Program<'p>, unit: &Unit<'p>) -> Walked<'p> {
    let (function, body, slot_types, arity, span, local) = match unit {
        Unit::Global(global) => {
            (global.name.as_str(), &global.body, &global.slots[..], global.arity, global.span, false)
        }
        Unit::Lambda(owner, lambda, span, _) => (*owner, &lambda.body, &lambda.slots[..], lambda.params, *span, true),
    };
    let mut walker = Walker {
        program,
        function,
        local,
        slot_types,
        slots: Vec::new(),
        path: Vec::new(),
        axioms: Vec::new(),
        obligations: Vec::new(),
        lambdas: Vec::new(),
        span,
        unknowns: 0,
        refers_to_aborting: false,
        quiet: 0,
        measure: None,
        returns: Vec::new(),
        calls: Vec::new(),
        reached: match unit {
            Unit::Lambda(_, lambda, _, Some(group)) => {
                group.reached_from(lambda).into_iter().map(|(slot, member)| (slot, group.name(member))).collect()
            }
            _ => Vec::new(),
        },
    };
    let mut parameters = Vec::new();
    if local {
        // Every slot of a local function that the body reads before it
        // writes is a parameter or a capture: unknown values of their types.
        let taint: Taint = Some(Rc::from("the arguments of a local function are not known"));
        walker.slots = slot_types.iter().map(|slot| walker.fresh(&slot.ty, &taint, 0)).collect();
        parameters = slot_types
            .iter()
            .zip(&walker.slots)
            .take(arity as usize)
            .map(|(slot, value)| (value.clone(), slot.ty.clone()))
            .collect();
    } else {
        for index in 0..arity as usize {
            let ty = slot_types.get(index).map(|slot| slot.ty.clone()).unwrap_or_default();
            let value = walker.fresh(&ty, &None, 0);
            parameters.push((value.clone(), ty));
            walker.slots.push(value);
        }
    }
    let mut entry = Vec::new();
    if let Unit::Global(global) = *unit {
        let arguments: Vec<Sym> = parameters.iter().map(|(value, _)| value.clone()).collect();
        entry = walker.enter(global, &arguments);
        let result = walker.eval_tail(body);
        walker.leave(global, arguments, result);
    } else {
        walker.eval(body);
    }
    let Walker { mut obligations, axioms, lambdas, refers_to_aborting, calls, .. } = walker;
    for obligation in &mut obligations {
        if let Check::Query { axioms: own, .. } = &mut obligation.check {
            own.clone_from(&axioms);
        }
    }
    Walked { obligations, parameters, lambdas, refers_to_aborting, axioms, entry, calls }
}

struct Walker<'a, 'p> {
    program: &'a Program<'p>,
    function: &'p str,
    local: bool,
    slot_types: &'p [Slot],
    slots: Vec<Sym>,
    path: Vec<Fact>,
    axioms: Vec<Bool>,
    obligations: Vec<Obligation>,
    lambdas: Vec<Unit<'p>>,
    span: Span,
    unknowns: u32,
    refers_to_aborting: bool,
    /// While positive, obligations are not recorded (their failures are
    /// still assumed not to happen): a callee's clause evaluated at a call,
    /// whose own obligations the callee's walk records.
    quiet: u32,
    /// The global's `decreases` clause and its measure on entry.
    measure: Option<(&'p Spec, Int)>,
    /// Each way the global's body returns: the facts of its path and the
    /// value it returns there.
    returns: Vec<(Vec<Fact>, Sym)>,
    /// The calls to functions of the unit's recursion group.
    calls: Vec<RecursiveCall>,
    /// For a local function of a `let rec` group: the slots through which
    /// it reaches the group's functions, with their names.
    reached: Vec<(u32, String)>,
}

impl<'a, 'p> Walker<'a, 'p> {
    /// At the entry of `global`, whose arguments are `arguments`: its
    /// `requires` clauses become facts of the path (their own operations
    /// obligations), and its measure is taken. Returns the entry facts.
    fn enter(&mut self, global: &'p Global, arguments: &[Sym]) -> Vec<Bool> {
        let mut entry = Vec::new();
        for spec in self.program.clauses(&global.name, SpecKind::Requires) {
            let holds = self.clause(spec, arguments.to_vec());
            if let Sym::Never = holds {
                continue;
            }
            let (condition, taint) = self.boolean(holds);
            entry.push(condition.clone());
            self.path.push(Fact { condition, taint });
        }
        if let Some(spec) = self.program.clauses(&global.name, SpecKind::Decreases).first().copied() {
            let measure = self.clause(spec, arguments.to_vec());
            if !matches!(measure, Sym::Never) {
                let (measure, _) = self.integer(measure, NumKind::Nat);
                self.measure = Some((spec, measure));
            }
        }
        entry
    }

    /// At the return of `global` with `result`: each `ensures` clause is an
    /// obligation (a body that always aborts returns nothing to check).
    fn leave(&mut self, global: &'p Global, mut arguments: Vec<Sym>, result: Sym) {
        if let Sym::Never = result {
            return;
        }
        self.conservation(global, &arguments, &result);
        arguments.push(result);
        for spec in self.program.clauses(&global.name, SpecKind::Ensures) {
            let holds = self.clause(spec, arguments.clone());
            if let Sym::Never = holds {
                continue;
            }
            let (condition, taint) = self.boolean(holds);
            self.obligation(Kind::Ensures, format!("`{}`", spec.headline()), spec.span, condition.not(), taint);
        }
    }

    /// At a call of `name` on `values`: the callee's `requires` clauses are
    /// obligations, a recursive call's measure (the callee's, for a call
    /// back into the function through others of its recursion group) must
    /// be below the entry's, and the callee's `ensures` clauses are facts
    /// about `result`.
    fn call_clauses(&mut self, name: &'p str, values: &[Sym], span: Span) {
        for spec in self.program.clauses(name, SpecKind::Requires) {
            let holds = self.quietly(|w| w.clause(spec, values.to_vec()));
            if let Sym::Never = holds {
                continue;
            }
            let (condition, taint) = self.boolean(holds);
            let operation = format!("`{}` of `{}`", spec.headline(), short(name));
            self.obligation(Kind::Requires, operation, span, condition.not(), taint);
        }
        if !self.local
            && self.program.same_group(name, self.function)
            && let Some((_, entry)) = self.measure.clone()
            && let Some(spec) = self.program.clauses(name, SpecKind::Decreases).first().copied()
        {
            let measure = self.quietly(|w| w.clause(spec, values.to_vec()));
            if !matches!(measure, Sym::Never) {
                let (measure, taint) = self.integer(measure, NumKind::Nat);
                let operation = if name == self.function {
                    format!("`{}`", spec.headline())
                } else {
                    format!("`{}` of `{}`", spec.headline(), short(name))
                };
                self.obligation(Kind::Decreases, operation, span, measure.ge(&entry), taint);
            }
        }
    }

    /// At the return of `global`: for each asset of its module that it
    /// receives and returns, the total it returns is the total it received
    /// (`conservation.rs`).
    fn conservation(&mut self, global: &'p Global, arguments: &[Sym], result: &Sym) {
        let (params, result_ty) = conservation::signature(global);
        for asset in conservation::assets_of(self.program, global) {
            if conservation::shape(self.program, global, &asset) != conservation::Shape::Keeps {
                continue;
            }
            let operation = format!("the total of `{}`", short(&asset.name));
            let before = conservation::total_of(self.program, arguments, &params, &asset);
            let after = conservation::total(self.program, result, result_ty, &asset);
            match (before, after) {
                (Ok((before, t1)), Ok((after, t2))) => {
                    let taint = join(&t1, &t2);
                    let inexact = taint.is_some() || self.path.iter().any(|fact| fact.taint.is_some());
                    let exact =
                        if inexact && t1.is_none() { self.exact_changes(&before, result_ty, &asset) } else { None };
                    let failure = before.eq(&after).not();
                    self.obligation_with(Kind::Conservation, operation, global.span, failure, taint, exact);
                }
                (Err(reason), _) | (_, Err(reason)) => {
                    self.not_modelled(Kind::Conservation, operation, global.span, reason);
                }
            }
        }
    }

    /// The condition that the body returns, on a path whose facts are all
    /// exact, a value whose total of `asset` is exact and not `before`;
    /// `None` when no such path exists. A model of it is a counterexample
    /// even when the joined result of all the paths is not exact.
    fn exact_changes(&self, before: &Int, result_ty: &Ty, asset: &conservation::Asset) -> Option<Bool> {
        let mut cases = Vec::new();
        for (facts, value) in &self.returns {
            if facts.iter().any(|fact| fact.taint.is_some()) {
                continue;
            }
            let Ok((after, None)) = conservation::total(self.program, value, result_ty, asset) else { continue };
            let mut conditions: Vec<Bool> = facts.iter().map(|fact| fact.condition.clone()).collect();
            conditions.push(before.eq(&after).not());
            cases.push(all_of(&conditions));
        }
        (!cases.is_empty()).then(|| Bool::or(&cases))
    }

    /// At a call of `name` on `values` with `result`: a callee that keeps
    /// an asset's total (its own obligation) returns the total it received.
    fn assume_conservation(&mut self, name: &'p str, values: &[Sym], result: &Sym) {
        let Some(global) = self.program.globals.get(name).copied() else { return };
        let (params, result_ty) = conservation::signature(global);
        for asset in conservation::assets_of(self.program, global) {
            if conservation::shape(self.program, global, &asset) != conservation::Shape::Keeps {
                continue;
            }
            let before = conservation::total_of(self.program, values, &params, &asset);
            let after = conservation::total(self.program, result, result_ty, &asset);
            if let (Ok((before, _)), Ok((after, _))) = (before, after) {
                self.path.push(Fact { condition: before.eq(&after), taint: None });
            }
        }
    }

    /// The callee's `ensures` clauses, assumed of `result` of a call of `name` on `values`.
    fn assume_ensures(&mut self, name: &'p str, values: &[Sym], result: &Sym) {
        let specs = self.program.clauses(name, SpecKind::Ensures);
        if specs.is_empty() {
            return;
        }
        let mut arguments = values.to_vec();
        arguments.push(result.clone());
        for spec in specs {
            let holds = self.quietly(|w| w.clause(spec, arguments.clone()));
            if let Sym::Never = holds {
                continue;
            }
            // The clause is proved of every result of the callee: the fact
            // is exact, though the result itself stands for many values.
            let (condition, _) = self.boolean(holds);
            self.path.push(Fact { condition, taint: None });
        }
    }

    /// `walk` with obligations not recorded.
    fn quietly<T>(&mut self, walk: impl FnOnce(&mut Self) -> T) -> T {
        self.quiet += 1;
        let value = walk(self);
        self.quiet -= 1;
        value
    }

    /// The value of clause `spec` on `arguments`: its body walked in a
    /// frame of its own.
    fn clause(&mut self, spec: &'p Spec, arguments: Vec<Sym>) -> Sym {
        let slot_types = std::mem::replace(&mut self.slot_types, &spec.global.slots[..]);
        let slots = std::mem::replace(&mut self.slots, arguments);
        let value = self.eval(&spec.global.body);
        self.slot_types = slot_types;
        self.slots = slots;
        value
    }

    /// An unknown value of type `ty`: integers with their range, records
    /// field by field, anything else opaque.
    fn fresh(&mut self, ty: &Ty, taint: &Taint, depth: u32) -> Sym {
        if matches!(ty, Ty::Nat | Ty::Int | Ty::Bool) {
            self.unknowns += 1;
        }
        match ty {
            Ty::Nat => {
                let x = Int::fresh_const("nat");
                self.axioms.push(in_nat_range(&x));
                Sym::Int(x, taint.clone())
            }
            Ty::Int => {
                let x = Int::fresh_const("int");
                self.axioms.push(in_int_range(&x));
                Sym::Int(x, taint.clone())
            }
            Ty::Bool => Sym::Bool(Bool::fresh_const("bool"), taint.clone()),
            Ty::Tuple(items) => Sym::Tuple(items.iter().map(|item| self.fresh(item, taint, depth)).collect()),
            Ty::Data(..) => match self.program.constructors(ty) {
                Some(_) if depth >= DATA_DEPTH || self.unknowns >= UNKNOWNS_LIMIT => {
                    Sym::opaque(format!("values of `{ty}` nested this deep"))
                }
                Some((def, mut fields)) if def.constructors.len() == 1 => {
                    let fields = fields.remove(0);
                    Sym::Con(0, fields.iter().map(|field| self.fresh(field, taint, depth + 1)).collect())
                }
                Some((def, fields)) if !def.constructors.is_empty() => {
                    self.unknowns += 1;
                    let tag = Int::fresh_const("tag");
                    let count = Int::from_u64(def.constructors.len() as u64);
                    self.axioms.push(Bool::and(&[tag.ge(Int::from_u64(0)), tag.lt(&count)]));
                    let variants = fields
                        .iter()
                        .enumerate()
                        .map(|(index, field_types)| {
                            let values = field_types.iter().map(|field| self.fresh(field, taint, depth + 1)).collect();
                            (index as u32, values)
                        })
                        .collect();
                    Sym::Sum(tag, taint.clone(), Rc::new(variants))
                }
                _ => Sym::opaque(format!("values of `{ty}`")),
            },
            Ty::Real => Sym::opaque("ℝ"),
            Ty::Str => Sym::opaque("strings"),
            Ty::Char => Sym::opaque("characters"),
            Ty::List(item) => {
                let tail = self.fresh_tail(item, taint);
                Sym::List(Rc::new(ListSym { items: Vec::new(), rest: Rest::Unknown(tail) }))
            }
            Ty::Fun(..) => Sym::opaque("function values"),
            Ty::Var(_) | Ty::Param(_) | Ty::Unknown | Ty::Pending(_) => Sym::opaque("values of a type variable"),
        }
    }

    /// An unknown list of `item`s: its length and its total of each asset
    /// an item may hold, at least zero, the totals zero when it is empty
    /// and at most the length times the largest ℕ when an item is the asset.
    fn fresh_tail(&mut self, item: &Ty, taint: &Taint) -> Rc<Tail> {
        self.unknowns += 1;
        let zero = Int::from_u64(0);
        let length = Int::fresh_const("length");
        self.axioms.push(length.ge(&zero));
        let mut totals = BTreeMap::new();
        for asset in conservation::assets_in(self.program, item) {
            self.unknowns += 1;
            let total = Int::fresh_const("total");
            self.axioms.push(total.ge(&zero));
            self.axioms.push(length.eq(&zero).implies(total.eq(&zero)));
            if matches!(item, Ty::Data(name, _) if *name == asset.name) {
                self.axioms.push(total.le(&length * &Int::from_u128(bounds::NAT_MAX)));
            }
            totals.insert(asset.name, total);
        }
        Rc::new(Tail { item: item.clone(), length, totals, taint: taint.clone(), split: OnceCell::new() })
    }

    /// The first item and the rest of `tail` when it is not empty: fresh
    /// values the first time, the same ones after. The rest is one shorter,
    /// and each total is the first item's plus the rest's.
    fn split(&mut self, tail: &Rc<Tail>) -> (Sym, Rc<Tail>) {
        if let Some(split) = tail.split.get() {
            return split.clone();
        }
        let head = self.fresh(&tail.item, &tail.taint, 1);
        let rest = self.fresh_tail(&tail.item, &tail.taint);
        let mut relation = vec![rest.length.eq(&tail.length - &Int::from_u64(1))];
        for asset in conservation::assets_in(self.program, &tail.item) {
            let (Some(total), Some(rest_total)) = (tail.totals.get(&asset.name), rest.totals.get(&asset.name)) else {
                continue;
            };
            match conservation::total(self.program, &head, &tail.item, &asset) {
                Ok((amount, _)) => relation.push(total.eq(&amount + rest_total)),
                Err(reason) => {
                    self.path.push(Fact { condition: Bool::from_bool(true), taint: Some(Rc::from(reason.as_str())) });
                }
            }
        }
        self.axioms.push(tail.length.gt(Int::from_u64(0)).implies(all_of(&relation)));
        let split = (head, rest);
        let _ = tail.split.set(split.clone());
        split
    }

    /// Records an obligation at `span` that fails when `failure` holds, then
    /// assumes on the rest of the path that it did not fail.
    fn obligation(&mut self, kind: Kind, operation: String, span: Span, failure: Bool, taint: Taint) {
        self.obligation_with(kind, operation, span, failure, taint, None);
    }

    /// [`Walker::obligation`], with the condition of its exact failures
    /// when the failure is not exact as a whole.
    fn obligation_with(
        &mut self,
        kind: Kind,
        operation: String,
        span: Span,
        failure: Bool,
        taint: Taint,
        exact: Option<Bool>,
    ) {
        let check = Check::Query {
            failure: failure.clone(),
            taint: taint.clone(),
            path: self.path.clone(),
            axioms: Vec::new(),
            exact,
        };
        self.push(kind, operation, span, check);
        self.path.push(Fact { condition: failure.not(), taint });
    }

    /// Records an operation that can abort and is not modelled; the rest of
    /// the path assumes it did not abort, which makes its facts inexact.
    fn not_modelled(&mut self, kind: Kind, operation: String, span: Span, reason: String) {
        self.path.push(Fact { condition: Bool::from_bool(true), taint: Some(Rc::from(reason.as_str())) });
        self.push(kind, operation, span, Check::NotModelled(reason));
    }

    fn push(&mut self, kind: Kind, operation: String, span: Span, check: Check) {
        if self.quiet > 0 {
            return;
        }
        let function = self.function.to_string();
        self.obligations.push(Obligation { function, local: self.local, kind, operation, span, check });
    }

    /// The value of `expr`, recording the obligations inside it.
    fn eval(&mut self, expr: &'p Expr) -> Sym {
        match expr {
            Expr::Lit(lit) => literal(lit),
            Expr::Local(slot) => self.slots.get(*slot as usize).cloned().unwrap_or_else(|| Sym::opaque("a slot")),
            Expr::Global(name) => self.global_value(name),
            Expr::Prim(prim) => self.prim_value(*prim),
            Expr::Constructor(constructor) if constructor.arity == 0 => Sym::Con(constructor.tag, Vec::new()),
            Expr::Constructor(_) => Sym::opaque("function values"),
            Expr::Apply(function, args, span) => self.apply(function, args, *span),
            Expr::Lambda(lambda) => {
                self.local_function(lambda, None);
                Sym::opaque("function values")
            }
            Expr::Let(slot, value, body) => {
                let value = self.eval(value);
                self.set(*slot, value);
                self.eval(body)
            }
            Expr::LetRec(bindings, body) => {
                for (index, (slot, lambda)) in bindings.iter().enumerate() {
                    let group = LocalGroup { bindings, frame: self.slot_types, index };
                    self.local_function(lambda, Some(group));
                    self.set(*slot, Sym::opaque("function values"));
                }
                self.eval(body)
            }
            Expr::If(condition, then, otherwise) => {
                let condition = self.eval(condition);
                self.branch(condition, |w| w.eval(then), |w| w.eval(otherwise))
            }
            Expr::And(a, b) => {
                let a = self.eval(a);
                self.branch(a, |w| w.eval(b), |_| Sym::Bool(Bool::from_bool(false), None))
            }
            Expr::Or(a, b) => {
                let a = self.eval(a);
                self.branch(a, |_| Sym::Bool(Bool::from_bool(true), None), |w| w.eval(b))
            }
            Expr::Not(a) => match self.eval(a) {
                Sym::Never => Sym::Never,
                value => {
                    let (b, taint) = self.boolean(value);
                    Sym::Bool(b.not(), taint)
                }
            },
            Expr::Match(matching) => self.matching(matching),
            Expr::Arith(op, kind, a, b, span) => {
                let (a, b) = (self.eval(a), self.eval(b));
                self.arith(*op, *kind, a, b, *span)
            }
            Expr::Pow(kind, a, b, span) => {
                let (a, b) = (self.eval(a), self.eval(b));
                if matches!((&a, &b), (Sym::Never, _) | (_, Sym::Never)) {
                    return Sym::Never;
                }
                if *kind == NumKind::Real {
                    return Sym::opaque("ℝ");
                }
                let reason = "`^` on integers is not modelled".to_string();
                self.not_modelled(Kind::NotModelled, "`^`".into(), *span, reason.clone());
                self.number(*kind, &Some(Rc::from(reason.as_str())))
            }
            Expr::Neg(kind, a, span) => {
                let a = self.eval(a);
                self.negate(*kind, a, *span)
            }
            Expr::Compare(op, a, b, _) => {
                let (a, b) = (self.eval(a), self.eval(b));
                self.compare(*op, a, b)
            }
            Expr::Concat(a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                match (a, b) {
                    (Sym::Never, _) | (_, Sym::Never) => Sym::Never,
                    (Sym::List(a), Sym::List(b)) => a.append(&b),
                    _ => Sym::opaque("strings"),
                }
            }
            Expr::Cons(a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                match (a, b) {
                    (Sym::Never, _) | (_, Sym::Never) => Sym::Never,
                    (head, Sym::List(rest)) => {
                        let mut items = vec![head];
                        items.extend(rest.items.iter().cloned());
                        Sym::List(Rc::new(ListSym { items, rest: rest.rest.clone() }))
                    }
                    _ => Sym::opaque("a list whose rest is not modelled"),
                }
            }
            Expr::List(items) => {
                let items: Vec<Sym> = items.iter().map(|item| self.eval(item)).collect();
                never_or(&items, || ListSym::of(items.clone()))
            }
            Expr::Tuple(items) => {
                let mut items: Vec<Sym> = items.iter().map(|item| self.eval(item)).collect();
                if items.len() == 1 {
                    return items.remove(0);
                }
                never_or(&items, || Sym::Tuple(items.clone()))
            }
            Expr::Field(record, index) => match self.eval(record) {
                Sym::Con(_, fields) | Sym::Tuple(fields) => {
                    fields.get(*index as usize).cloned().unwrap_or_else(|| Sym::opaque("a field"))
                }
                Sym::Never => Sym::Never,
                _ => Sym::opaque("a field of a value that is not modelled"),
            },
            Expr::Update(record, updates, _) => {
                let record = self.eval(record);
                let updates: Vec<(u32, Sym)> = updates.iter().map(|(i, value)| (*i, self.eval(value))).collect();
                match record {
                    Sym::Con(tag, mut fields) => {
                        for (index, value) in updates {
                            if let Some(field) = fields.get_mut(index as usize) {
                                *field = value;
                            }
                        }
                        Sym::Con(tag, fields)
                    }
                    Sym::Never => Sym::Never,
                    _ => Sym::opaque("a record that is not modelled"),
                }
            }
        }
    }

    /// The value of `expr` where the global returns it: through `let`s,
    /// `if`s and `match`es, each value returned is recorded with its path.
    fn eval_tail(&mut self, expr: &'p Expr) -> Sym {
        match expr {
            Expr::Let(slot, value, body) => {
                let value = self.eval(value);
                self.set(*slot, value);
                self.eval_tail(body)
            }
            Expr::If(condition, then, otherwise) => {
                let condition = self.eval(condition);
                self.branch(condition, |w| w.eval_tail(then), |w| w.eval_tail(otherwise))
            }
            Expr::Match(matching) => self.matching_at(matching, true),
            _ => {
                let value = self.eval(expr);
                self.returned(self.path.clone(), &value);
                value
            }
        }
    }

    /// Records that the global returns `value` on a path with `facts`.
    fn returned(&mut self, facts: Vec<Fact>, value: &Sym) {
        if !matches!(value, Sym::Never) && self.quiet == 0 {
            self.returns.push((facts, value.clone()));
        }
    }

    /// A local function made here: its body is walked on its own, and if it
    /// may abort, whatever it is passed to may abort through it.
    fn local_function(&mut self, lambda: &'p Lambda, group: Option<LocalGroup<'p>>) {
        self.lambdas.push(Unit::Lambda(self.function, lambda, self.span, group));
        if self.program.may_abort_in(&lambda.body) {
            let reason = "a local function that may abort is made before this point";
            self.path.push(Fact { condition: Bool::from_bool(true), taint: Some(Rc::from(reason)) });
        }
    }

    /// Stores `value` in `slot`; an opaque value becomes an unknown value of
    /// the slot's type (so that its uses agree with each other).
    fn set(&mut self, slot: u32, value: Sym) {
        let value = match value {
            Sym::Opaque(reason) => match self.slot_types.get(slot as usize) {
                Some(slot_type) => {
                    let ty = slot_type.ty.clone();
                    match self.fresh(&ty, &Some(reason.clone()), 0) {
                        Sym::Opaque(_) => Sym::Opaque(reason),
                        modelled => modelled,
                    }
                }
                None => Sym::Opaque(reason),
            },
            value => value,
        };
        let index = slot as usize;
        if self.slots.len() <= index {
            self.slots.resize(index + 1, Sym::opaque("an unset slot"));
        }
        self.slots[index] = value;
    }

    /// A value as a Z3 boolean; an opaque one becomes an unknown boolean
    /// tainted by why it is opaque.
    fn boolean(&mut self, value: Sym) -> (Bool, Taint) {
        match value {
            Sym::Bool(b, taint) => (b, taint),
            Sym::Opaque(reason) => (Bool::fresh_const("opaque"), Some(reason)),
            _ => (Bool::fresh_const("opaque"), Some(Rc::from("a condition that is not modelled"))),
        }
    }

    /// A value as a Z3 integer of `kind`; an opaque one becomes an unknown
    /// integer in the range of `kind`, tainted by why it is opaque.
    fn integer(&mut self, value: Sym, kind: NumKind) -> (Int, Taint) {
        match value {
            Sym::Int(x, taint) => (x, taint),
            Sym::Opaque(reason) => match self.number(kind, &Some(reason)) {
                Sym::Int(x, taint) => (x, taint),
                _ => (Int::fresh_const("opaque"), Some(Rc::from("a number that is not modelled"))),
            },
            _ => (Int::fresh_const("opaque"), Some(Rc::from("a number that is not modelled"))),
        }
    }

    /// An unknown number of `kind`, tainted by `taint`.
    fn number(&mut self, kind: NumKind, taint: &Taint) -> Sym {
        match kind {
            NumKind::Nat => self.fresh(&Ty::Nat, taint, 0),
            NumKind::Int => self.fresh(&Ty::Int, taint, 0),
            _ => Sym::opaque("ℝ and number-generic values"),
        }
    }

    /// `if condition then a else b`: each side walked with the condition on
    /// its path, the results and the paths joined.
    fn branch(
        &mut self,
        condition: Sym,
        then: impl FnOnce(&mut Self) -> Sym,
        otherwise: impl FnOnce(&mut Self) -> Sym,
    ) -> Sym {
        if let Sym::Never = condition {
            return Sym::Never;
        }
        let (c, taint) = self.boolean(condition);
        let start = self.path.len();
        // Each side starts from the slots as they were: what one side
        // writes, the other never sees.
        let slots = self.slots.clone();
        self.path.push(Fact { condition: c.clone(), taint: taint.clone() });
        let a = then(self);
        let facts_a: Vec<Fact> = self.path.drain(start..).collect();
        self.slots.clone_from(&slots);
        self.path.push(Fact { condition: c.not(), taint: taint.clone() });
        let b = otherwise(self);
        let facts_b: Vec<Fact> = self.path.drain(start..).collect();
        self.slots = slots;
        self.join_paths(vec![facts_a, facts_b]);
        Sym::merge(&c, &taint, a, b)
    }

    /// After branches: one of them was taken and did not abort.
    fn join_paths(&mut self, branches: Vec<Vec<Fact>>) {
        // Branches that only assumed their own condition add nothing: one
        // of the conditions holds.
        if branches.len() == 2 && branches.iter().all(|facts| facts.len() == 1) {
            return;
        }
        let mut taint: Taint = None;
        let mut disjuncts = Vec::new();
        for facts in &branches {
            let conditions: Vec<&Bool> = facts.iter().map(|fact| &fact.condition).collect();
            for fact in facts {
                taint = join(&taint, &fact.taint);
            }
            disjuncts.push(all_of(&conditions));
        }
        self.path.push(Fact { condition: any_of(&disjuncts), taint });
    }

    /// A `match`: each arm walked with its pattern matching and the earlier
    /// ones not, the results and paths joined.
    fn matching(&mut self, matching: &'p Match) -> Sym {
        self.matching_at(matching, false)
    }

    /// [`Walker::matching`]; `returning` when the global returns its value.
    fn matching_at(&mut self, matching: &'p Match, returning: bool) -> Sym {
        let scrutinee = self.eval(&matching.scrutinee);
        if let Sym::Never = scrutinee {
            return Sym::Never;
        }
        let start = self.path.len();
        let mut earlier: Vec<Fact> = Vec::new();
        let mut branches = Vec::new();
        let mut results: Vec<(Bool, Taint, Sym)> = Vec::new();
        let slots = self.slots.clone();
        for (pattern, arm) in &matching.arms {
            self.slots.clone_from(&slots);
            self.path.extend(earlier.iter().cloned());
            let (matched, taint) = self.test(pattern, &scrutinee);
            self.path.push(Fact { condition: matched.clone(), taint: taint.clone() });
            let value = if returning { self.eval_tail(arm) } else { self.eval(arm) };
            branches.push(self.path.drain(start..).collect());
            earlier.push(Fact { condition: matched.not(), taint: taint.clone() });
            results.push((matched, taint, value));
        }
        self.slots = slots;
        let mut result = match matching.otherwise {
            Otherwise::ReturnScrutinee => {
                if returning {
                    let facts = self.path.iter().chain(&earlier).cloned().collect();
                    self.returned(facts, &scrutinee);
                }
                branches.push(earlier);
                scrutinee
            }
            // The checker proved the arms exhaustive: the last arm takes
            // whatever the others leave.
            Otherwise::Abort => results.pop().map_or(Sym::Never, |(_, _, value)| value),
        };
        for (matched, taint, value) in results.into_iter().rev() {
            result = Sym::merge(&matched, &taint, value, result);
        }
        if branches.len() == 1 {
            // One arm that matches everything the checker lets through.
            let facts: Vec<Fact> = branches.remove(0);
            self.path.extend(facts.into_iter().skip(1));
        } else {
            self.join_paths(branches);
        }
        result
    }

    /// Whether `value` matches `pattern`, binding the pattern's variables.
    fn test(&mut self, pattern: &'p Pattern, value: &Sym) -> (Bool, Taint) {
        let yes = || (Bool::from_bool(true), None);
        let no = || (Bool::from_bool(false), None);
        match (pattern, value) {
            (Pattern::Wildcard, _) => yes(),
            (Pattern::Bind(slot), _) => {
                self.set(*slot, value.clone());
                yes()
            }
            (Pattern::Lit(lit), _) => match (&literal(lit), value) {
                (Sym::Int(l, _), Sym::Int(x, taint)) => (x.eq(l), taint.clone()),
                (Sym::Bool(l, _), Sym::Bool(x, taint)) => (x.eq(l), taint.clone()),
                (Sym::Tuple(_), Sym::Tuple(_)) => yes(),
                (Sym::Opaque(reason), _) | (_, Sym::Opaque(reason)) => self.unknown_match(pattern, reason.clone()),
                _ => self.unknown_match(pattern, Rc::from("a literal pattern")),
            },
            (Pattern::Constructor(tag, patterns), Sym::Con(actual, fields)) => {
                if tag != actual || patterns.len() != fields.len() {
                    return no();
                }
                self.all(patterns, fields)
            }
            (Pattern::Constructor(tag, patterns), Sym::Sum(actual, taint, variants)) => {
                let Some(fields) = variants.get(tag) else { return no() };
                if patterns.len() != fields.len() {
                    return no();
                }
                let is_tag = actual.eq(Int::from_u64(u64::from(*tag)));
                let (fields_match, fields_taint) = self.all(patterns, fields);
                (Bool::and(&[is_tag, fields_match]), join(taint, &fields_taint))
            }
            (Pattern::Nil, Sym::List(list)) => {
                let (length, taint) = list.length();
                (length.eq(Int::from_u64(0)), taint)
            }
            (Pattern::Cons(head, rest), Sym::List(list)) => self.test_cons(pattern, head, rest, list),
            (Pattern::Tuple(patterns), _) if patterns.is_empty() => yes(),
            (Pattern::Tuple(patterns), _) if patterns.len() == 1 => self.test(&patterns[0], value),
            (Pattern::Tuple(patterns), Sym::Tuple(items)) if patterns.len() == items.len() => self.all(patterns, items),
            (_, Sym::Opaque(reason)) => self.unknown_match(pattern, reason.clone()),
            (_, Sym::Never) => no(),
            _ => self.unknown_match(pattern, Rc::from("a pattern on a value that is not modelled")),
        }
    }

    /// `head :: rest` (the whole `pattern`) matched against `list`: its
    /// first known item, or the first item of its unknown rest when it is
    /// not empty.
    fn test_cons(
        &mut self,
        pattern: &'p Pattern,
        head: &'p Pattern,
        rest: &'p Pattern,
        list: &ListSym,
    ) -> (Bool, Taint) {
        if let Some(first) = list.items.first() {
            let (a, ta) = self.test(head, first);
            let (b, tb) = self.test(rest, &list.skip(1));
            return (Bool::and(&[a, b]), join(&ta, &tb));
        }
        match &list.rest {
            Rest::Empty => (Bool::from_bool(false), None),
            Rest::Unknown(tail) => {
                let (first, others) = self.split(tail);
                let nonempty = tail.length.gt(Int::from_u64(0));
                let others = Sym::List(Rc::new(ListSym { items: Vec::new(), rest: Rest::Unknown(others) }));
                let (a, ta) = self.test(head, &first);
                let (b, tb) = self.test(rest, &others);
                (Bool::and(&[nonempty, a, b]), join(&join(&tail.taint, &ta), &tb))
            }
            Rest::Joined(..) | Rest::Appended(..) => {
                self.unknown_match(pattern, Rc::from("the first item of a list joined from several"))
            }
        }
    }

    /// Patterns matched one by one against values.
    fn all(&mut self, patterns: &'p [Pattern], values: &[Sym]) -> (Bool, Taint) {
        let mut conditions = Vec::new();
        let mut taint = None;
        for (pattern, value) in patterns.iter().zip(values) {
            let (condition, t) = self.test(pattern, value);
            taint = join(&taint, &t);
            conditions.push(condition);
        }
        (all_of(&conditions), taint)
    }

    /// A pattern tested against a value that is not modelled: an unknown
    /// outcome, and unknown values for the variables it binds.
    fn unknown_match(&mut self, pattern: &'p Pattern, reason: Rc<str>) -> (Bool, Taint) {
        self.bind_unknown(pattern, &reason);
        (Bool::fresh_const("matches"), Some(reason))
    }

    fn bind_unknown(&mut self, pattern: &'p Pattern, reason: &Rc<str>) {
        match pattern {
            Pattern::Bind(slot) => self.set(*slot, Sym::Opaque(reason.clone())),
            Pattern::Constructor(_, patterns) | Pattern::Tuple(patterns) => {
                patterns.iter().for_each(|p| self.bind_unknown(p, reason))
            }
            Pattern::Cons(head, tail) => {
                self.bind_unknown(head, reason);
                self.bind_unknown(tail, reason);
            }
            Pattern::Wildcard | Pattern::Lit(_) | Pattern::Nil => {}
        }
    }

    /// A global used as a value: a top-level value defined as a literal is
    /// that literal, any other an unknown value of its type; a function is a
    /// function value. Either may abort where it runs.
    fn global_value(&mut self, name: &'p str) -> Sym {
        self.reference(name, self.span);
        match self.program.globals.get(name) {
            Some(global)
                if global.arity == 0 && matches!(global.body, Expr::Lit(Lit::Nat(_) | Lit::Int(_) | Lit::Bool(_))) =>
            {
                let Expr::Lit(lit) = &global.body else { unreachable!("matched above") };
                literal(lit)
            }
            Some(global) if global.arity == 0 => {
                let ty = global.ty.clone();
                self.fresh(&ty, &Some(Rc::from(format!("the value of `{}` is not modelled", short(name)))), 0)
            }
            _ => Sym::opaque("function values"),
        }
    }

    /// A reference to global `name` (a call, or a use as a value): code
    /// outside the verified files that may abort is an obligation this run
    /// cannot prove, and code that may abort at all (even on purpose) makes
    /// the rest of the path inexact.
    fn reference(&mut self, name: &'p str, span: Span) {
        if !self.program.may_abort.contains(name) {
            return;
        }
        self.refers_to_aborting = true;
        if self.program.verified.contains(name) {
            let reason = format!("`{}` may abort before this point", short(name));
            self.path.push(Fact { condition: Bool::from_bool(true), taint: Some(Rc::from(reason.as_str())) });
        } else {
            let reason = format!("`{name}` is outside the verified files and not proved never to abort");
            self.not_modelled(Kind::Call, format!("call of `{name}`"), span, reason);
        }
    }

    /// A primitive used as a function value.
    fn prim_value(&mut self, prim: Prim) -> Sym {
        if prim_can_abort(prim) {
            let name = format!("`Prim.{}`", prim.name());
            let reason = format!("{name} used as a function value is not modelled");
            self.not_modelled(Kind::NotModelled, name, self.span, reason);
        }
        match prim {
            Prim::Infinity | Prim::Nan => Sym::opaque("ℝ"),
            _ => Sym::opaque("function values"),
        }
    }

    /// `function args`.
    fn apply(&mut self, function: &'p Expr, args: &'p [Expr], span: Span) -> Sym {
        let outer = std::mem::replace(&mut self.span, span);
        let result = self.apply_at(function, args, span);
        self.span = outer;
        result
    }

    fn apply_at(&mut self, function: &'p Expr, args: &'p [Expr], span: Span) -> Sym {
        match function {
            Expr::Constructor(constructor) if constructor.arity as usize == args.len() => {
                let fields: Vec<Sym> = args.iter().map(|arg| self.eval(arg)).collect();
                never_or(&fields, || Sym::Con(constructor.tag, fields.clone()))
            }
            Expr::Prim(prim) if prim.arity() as usize == args.len() && !args.is_empty() => {
                let values: Vec<Sym> = args.iter().map(|arg| self.eval(arg)).collect();
                if values.iter().any(|v| matches!(v, Sym::Never)) {
                    return Sym::Never;
                }
                self.primitive(*prim, &args[0], values, span)
            }
            Expr::Global(name) => {
                let values: Vec<Sym> = args.iter().map(|arg| self.eval(arg)).collect();
                if values.iter().any(|v| matches!(v, Sym::Never)) {
                    return Sym::Never;
                }
                if name == PRELUDE_ABORT && args.len() == 1 {
                    return self.primitive(Prim::Abort, &args[0], values, span);
                }
                let saturated =
                    self.program.globals.get(name.as_str()).is_some_and(|global| global.arity as usize == args.len());
                if saturated {
                    self.call_clauses(name, &values, span);
                    if !self.local && self.quiet == 0 && self.program.same_group(name, self.function) {
                        let path = self.path.clone();
                        self.calls.push(RecursiveCall { callee: name.clone(), arguments: values.clone(), path });
                    }
                }
                self.reference(name, span);
                match self.program.globals.get(name.as_str()) {
                    Some(global) if global.arity as usize == args.len() => {
                        let result = result_type(&global.ty, args.len());
                        let reason: Rc<str> = Rc::from(format!("the result of `{}` is not modelled", short(name)));
                        let result = match self.fresh(&result, &Some(reason.clone()), 0) {
                            Sym::Opaque(_) => Sym::Opaque(reason),
                            modelled => modelled,
                        };
                        self.assume_ensures(name, &values, &result);
                        self.assume_conservation(name, &values, &result);
                        result
                    }
                    Some(global) if (global.arity as usize) < args.len() => {
                        // The call returns a function, which is applied and may abort.
                        let reason = "a function value applied here may abort";
                        self.path.push(Fact { condition: Bool::from_bool(true), taint: Some(Rc::from(reason)) });
                        Sym::opaque(format!("the result of applying `{}`", short(name)))
                    }
                    _ => Sym::opaque(format!("the result of applying `{}`", short(name))),
                }
            }
            _ => {
                let callee = self.eval(function);
                let values: Vec<Sym> = args.iter().map(|arg| self.eval(arg)).collect();
                if matches!(callee, Sym::Never) || values.iter().any(|v| matches!(v, Sym::Never)) {
                    return Sym::Never;
                }
                if let Expr::Local(slot) = function
                    && self.quiet == 0
                    && let Some((_, name)) = self.reached.iter().find(|(reached, _)| reached == slot)
                {
                    let (callee, path) = (name.clone(), self.path.clone());
                    self.calls.push(RecursiveCall { callee, arguments: values.clone(), path });
                }
                // The function value was checked where it was made, but it
                // may still abort on purpose.
                let reason = "a function value applied here may abort";
                self.path.push(Fact { condition: Bool::from_bool(true), taint: Some(Rc::from(reason)) });
                Sym::opaque("the result of applying a function value")
            }
        }
    }

    /// A saturated call of a primitive.
    fn primitive(&mut self, prim: Prim, first: &'p Expr, mut values: Vec<Sym>, span: Span) -> Sym {
        let value = values.remove(0);
        match prim {
            Prim::Abort => {
                let message = match first {
                    Expr::Lit(Lit::Str(text)) => Some(text.clone()),
                    _ => None,
                };
                self.push(Kind::DeclaredAbort, "`Prim.abort`".into(), span, Check::Declared(message));
                self.path.push(Fact { condition: Bool::from_bool(false), taint: None });
                Sym::Never
            }
            Prim::IntOfNat => {
                let (n, taint) = self.integer(value, NumKind::Nat);
                let failure = n.gt(Int::from_i128(bounds::INT_MAX));
                self.obligation(Kind::Conversion, "`Prim.int_of_nat`".into(), span, failure, taint.clone());
                Sym::Int(n, taint)
            }
            Prim::NatOfInt => {
                let (i, taint) = self.integer(value, NumKind::Int);
                let failure = i.lt(Int::from_i64(0));
                self.obligation(Kind::Conversion, "`Prim.nat_of_int`".into(), span, failure, taint.clone());
                Sym::Int(i, taint)
            }
            Prim::FromCode => {
                let (n, taint) = self.integer(value, NumKind::Nat);
                let surrogate = Bool::and(&[n.ge(Int::from_i64(0xD800)), n.le(Int::from_i64(0xDFFF))]);
                let failure = Bool::or(&[n.gt(Int::from_i64(0x10FFFF)), surrogate]);
                self.obligation(Kind::Conversion, "`Prim.from_code`".into(), span, failure, taint);
                Sym::opaque("characters")
            }
            Prim::Floor => {
                let reason = "`Prim.floor` works on ℝ, which is not modelled".to_string();
                self.not_modelled(Kind::NotModelled, "`Prim.floor`".into(), span, reason.clone());
                self.number(NumKind::Int, &Some(Rc::from(reason.as_str())))
            }
            Prim::Length | Prim::Code => {
                let taint = Some(Rc::from(format!("the result of `Prim.{}` is not modelled", prim.name())));
                self.number(NumKind::Nat, &taint)
            }
            Prim::Exponent => {
                let taint = Some(Rc::from("the result of `Prim.exponent` is not modelled"));
                self.number(NumKind::Int, &taint)
            }
            Prim::IsNan => Sym::Bool(Bool::fresh_const("is_nan"), Some(Rc::from("ℝ is not modelled"))),
            Prim::Sqrt | Prim::Scale | Prim::RealOfInt | Prim::RealOfNat | Prim::Infinity | Prim::Nan => {
                Sym::opaque("ℝ")
            }
            Prim::Show | Prim::FromChars => Sym::opaque("strings"),
            Prim::Chars => Sym::opaque("lists"),
            // Only a built contract has these calls; the verifier reads the
            // source, where the called procedure is a function.
            Prim::CallContract => Sym::opaque("the result of another contract's procedure"),
        }
    }

    /// `a op b` on numbers of `kind`, with its obligations.
    fn arith(&mut self, op: ArithOp, kind: NumKind, a: Sym, b: Sym, span: Span) -> Sym {
        if matches!((&a, &b), (Sym::Never, _) | (_, Sym::Never)) {
            return Sym::Never;
        }
        let name = format!("`{}` on {}", op.symbol(), type_name(kind));
        match kind {
            NumKind::Real => return Sym::opaque("ℝ"),
            NumKind::Nat | NumKind::Int => {}
            NumKind::Dyn | NumKind::Pending(_) => {
                let reason = "arithmetic whose number type is decided at run time is not modelled".to_string();
                self.not_modelled(Kind::NotModelled, name, span, reason);
                return Sym::opaque("number-generic values");
            }
        }
        let (x, tx) = self.integer(a, kind);
        let (y, ty) = self.integer(b, kind);
        let taint = join(&tx, &ty);
        let in_range = |r: &Int| if kind == NumKind::Nat { in_nat_range(r) } else { in_int_range(r) };
        let zero = Int::from_i64(0);
        let result = match op {
            ArithOp::Add => &x + &y,
            ArithOp::Sub => &x - &y,
            ArithOp::Mul => &x * &y,
            ArithOp::Div | ArithOp::Rem => {
                self.obligation(Kind::DivisionByZero, name.clone(), span, y.eq(&zero), taint.clone());
                let (quotient, remainder) = truncated_division(&x, &y);
                if op == ArithOp::Rem {
                    // Only MIN / -1 overflows, and MIN % -1 is 0.
                    return Sym::Int(remainder, taint);
                }
                if kind == NumKind::Nat {
                    return Sym::Int(quotient, taint);
                }
                quotient
            }
        };
        let failure = in_range(&result).not();
        let overflow = if kind == NumKind::Nat && op == ArithOp::Sub { Kind::Underflow } else { Kind::Overflow };
        self.obligation(overflow, name, span, failure, taint.clone());
        Sym::Int(result, taint)
    }

    /// `-a` on numbers of `kind`, with its obligation.
    fn negate(&mut self, kind: NumKind, a: Sym, span: Span) -> Sym {
        if let Sym::Never = a {
            return Sym::Never;
        }
        let name = format!("`-` on {}", type_name(kind));
        match kind {
            NumKind::Real => Sym::opaque("ℝ"),
            NumKind::Nat | NumKind::Int => {
                let (x, taint) = self.integer(a, kind);
                let result = x.unary_minus();
                let (failure, what) = if kind == NumKind::Nat {
                    (x.eq(Int::from_i64(0)).not(), Kind::Underflow)
                } else {
                    (in_int_range(&result).not(), Kind::Overflow)
                };
                self.obligation(what, name, span, failure, taint.clone());
                Sym::Int(result, taint)
            }
            NumKind::Dyn | NumKind::Pending(_) => {
                let reason = "arithmetic whose number type is decided at run time is not modelled".to_string();
                self.not_modelled(Kind::NotModelled, name, span, reason);
                Sym::opaque("number-generic values")
            }
        }
    }

    /// `a op b` structurally: exact on integers, booleans and the tuples
    /// and records made of them; an unknown boolean otherwise.
    fn compare(&mut self, op: CmpOp, a: Sym, b: Sym) -> Sym {
        if matches!((&a, &b), (Sym::Never, _) | (_, Sym::Never)) {
            return Sym::Never;
        }
        match (op, &a, &b) {
            (CmpOp::Eq, _, _) => self.equal(&a, &b).map_or_else(unknown_comparison, |(c, t)| Sym::Bool(c, t)),
            (CmpOp::Ne, _, _) => self.equal(&a, &b).map_or_else(unknown_comparison, |(c, t)| Sym::Bool(c.not(), t)),
            (_, Sym::Int(x, tx), Sym::Int(y, ty)) => {
                let c = match op {
                    CmpOp::Lt => x.lt(y),
                    CmpOp::Le => x.le(y),
                    CmpOp::Gt => x.gt(y),
                    _ => x.ge(y),
                };
                Sym::Bool(c, join(tx, ty))
            }
            (_, Sym::Opaque(reason), _) | (_, _, Sym::Opaque(reason)) => {
                Sym::Bool(Bool::fresh_const("compare"), Some(reason.clone()))
            }
            _ => unknown_comparison(),
        }
    }

    /// Structural equality, where it is modelled.
    fn equal(&mut self, a: &Sym, b: &Sym) -> Option<(Bool, Taint)> {
        match (a, b) {
            (Sym::Int(x, tx), Sym::Int(y, ty)) => Some((x.eq(y), join(tx, ty))),
            (Sym::Bool(x, tx), Sym::Bool(y, ty)) => Some((x.eq(y), join(tx, ty))),
            (Sym::Con(tx, _), Sym::Con(ty, _)) if tx != ty => Some((Bool::from_bool(false), None)),
            (Sym::Con(_, xs), Sym::Con(_, ys)) | (Sym::Tuple(xs), Sym::Tuple(ys)) if xs.len() == ys.len() => {
                let mut conditions = Vec::new();
                let mut taint = None;
                for (x, y) in xs.iter().zip(ys) {
                    let (c, t) = self.equal(x, y)?;
                    taint = join(&taint, &t);
                    conditions.push(c);
                }
                Some((all_of(&conditions), taint))
            }
            (Sym::Opaque(reason), _) | (_, Sym::Opaque(reason)) => {
                Some((Bool::fresh_const("equal"), Some(reason.clone())))
            }
            _ => None,
        }
    }
}

/// An unknown comparison result.
fn unknown_comparison() -> Sym {
    Sym::Bool(Bool::fresh_const("compare"), Some(Rc::from("a comparison that is not modelled")))
}

/// `Never` if any of `values` is, else `value()`.
fn never_or(values: &[Sym], value: impl FnOnce() -> Sym) -> Sym {
    if values.iter().any(|v| matches!(v, Sym::Never)) { Sym::Never } else { value() }
}

/// The value of a literal.
fn literal(lit: &Lit) -> Sym {
    match lit {
        Lit::Nat(n) => Sym::Int(Int::from_u128(*n), None),
        Lit::Int(i) | Lit::Dyn(i) => Sym::Int(Int::from_i128(*i), None),
        Lit::Bool(b) => Sym::Bool(Bool::from_bool(*b), None),
        Lit::Unit => Sym::Tuple(Vec::new()),
        Lit::Real(_) => Sym::opaque("ℝ"),
        Lit::Str(_) => Sym::opaque("strings"),
        Lit::Char(_) => Sym::opaque("characters"),
        Lit::PendingInt(..) | Lit::PendingChar(..) => Sym::opaque("an unresolved literal"),
    }
}

/// Quotient and remainder of division truncated toward zero (Min's `/`
/// and `%`), from Z3's Euclidean ones; meaningless when `y` is zero.
fn truncated_division(x: &Int, y: &Int) -> (Int, Int) {
    let zero = Int::from_i64(0);
    let abs = |v: &Int| v.ge(&zero).ite(v, &v.unary_minus());
    let magnitude = abs(x).div(abs(y));
    let same_sign = x.ge(&zero).eq(y.ge(&zero));
    let quotient = same_sign.ite(&magnitude, &magnitude.unary_minus());
    let remainder = x - &(y * &quotient);
    (quotient, remainder)
}

/// The result type of a global of type `ty` applied to `count` arguments.
fn result_type(ty: &Ty, count: usize) -> Ty {
    let mut ty = ty;
    for _ in 0..count {
        match ty {
            Ty::Fun(_, result) => ty = result,
            _ => return Ty::Unknown,
        }
    }
    ty.clone()
}

/// `ℕ`, `ℤ` or `ℝ`, for messages.
pub(crate) fn type_name(kind: NumKind) -> &'static str {
    match kind {
        NumKind::Nat => "ℕ",
        NumKind::Int => "ℤ",
        NumKind::Real => "ℝ",
        NumKind::Dyn | NumKind::Pending(_) => "a number type decided at run time",
    }
}

/// A global's name without its module.
pub(crate) fn short(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(_, short)| short)
}

#[cfg(test)]
mod tests {
    use super::truncated_division;
    use z3::ast::{Ast, Int};

    #[test]
    fn division_truncates_toward_zero_like_the_interpreter() {
        let pairs = [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 5), (6, 3), (-6, 3), (i128::MIN, 3), (i128::MAX, -7)];
        for (x, y) in pairs {
            let (quotient, remainder) = truncated_division(&Int::from_i128(x), &Int::from_i128(y));
            assert_eq!(quotient.simplify().as_i128(), Some(x / y), "{x} / {y}");
            assert_eq!(remainder.simplify().as_i128(), Some(x % y), "{x} % {y}");
        }
    }
}
