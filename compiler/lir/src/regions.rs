//! Region inference: which values a function returns (and so must build in
//! its caller's destination region) and which stay local (and so go in its
//! scratch region, freed when the call that opened it returns).
//!
//! The analysis works on the core IR, one function body at a time, with a
//! summary per global saying which parameters may flow into its result. A
//! position is *escaping* when the value computed there may be reachable
//! from the function's result; the rules (also in `spec/regions.md`):
//!
//! - the body is escaping;
//! - the components of a value built in an escaping position (constructor
//!   fields, list cells, tuple items, closure captures, the record an update
//!   copies, both operands of `++` (which shares the elements of the left
//!   list and the whole right one, and returns either list whole when the
//!   other is empty), the record a field is read from) are escaping;
//! - the arguments of a call in an escaping position are escaping, except
//!   those a called global's summary shows never reach its result;
//! - a variable is escaping when one of its uses is, and then so is the value
//!   bound to it (by `let`, a pattern, or a recursive group);
//! - conditions, operands of arithmetic and comparisons, scrutinees whose
//!   bound parts do not escape, and arguments of primitives are not.
//!
//! Summaries start at "no parameter escapes" and grow to a fixed point, so
//! recursive functions get the least solution.

use rustc_hash::FxHashMap;

use min_core::{Expr, Global, Lambda, Match, Module, Otherwise, Pattern, Ty};
use min_diagnostics::Span;

/// A place where a function builds a value with fields, and where it puts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// The constructor application.
    pub span: Span,
    /// The constructor's name.
    pub constructor: String,
    /// Whether it is built in the caller's region (it may be returned)
    /// rather than in the function's scratch region.
    pub escapes: bool,
}

/// Whether a function of type `ty` returns a value that is never a pointer
/// (a real, boolean, character or unit): then no parameter reaches its
/// result. (Natural numbers and integers may be boxed, so they do not count.)
fn returns_unboxed(ty: &Ty) -> bool {
    let mut result = ty;
    while let Ty::Fun(_, next) = result {
        result = next;
    }
    matches!(result, Ty::Real | Ty::Bool | Ty::Char) || matches!(result, Ty::Tuple(items) if items.is_empty())
}

/// For each global of positive arity, which parameters may reach its result.
#[derive(Clone, Debug, Default)]
pub struct Summaries {
    params: FxHashMap<String, Vec<bool>>,
}

impl Summaries {
    /// Computes the summaries of every global of `modules`.
    pub fn of<'m>(modules: impl IntoIterator<Item = &'m Module>) -> Summaries {
        let globals: Vec<&Global> = modules.into_iter().flat_map(|module| &module.globals).collect();
        let mut summaries = Summaries::default();
        for global in &globals {
            summaries.params.insert(global.name.clone(), vec![false; global.arity as usize]);
        }
        loop {
            let mut changed = false;
            for global in &globals {
                if returns_unboxed(&global.ty) {
                    continue;
                }
                let escaping = escaping_slots(&summaries, global.frame_size, &global.body);
                let flows: Vec<bool> = (0..global.arity as usize).map(|slot| escaping[slot]).collect();
                if summaries.params.get(&global.name) != Some(&flows) {
                    summaries.params.insert(global.name.clone(), flows);
                    changed = true;
                }
            }
            if !changed {
                return summaries;
            }
        }
    }

    /// Whether parameter `index` of `global` may reach its result (and so is
    /// moved into it rather than only read).
    pub fn parameter_escapes(&self, global: &str, index: usize) -> bool {
        self.params.get(global).and_then(|flows| flows.get(index)).copied().unwrap_or(true)
    }

    /// The constructor applications in a global's body, with the region
    /// each value goes in (the lowering follows the same rules).
    pub fn allocations(&self, global: &Global) -> Vec<Allocation> {
        let escaping = escaping_slots(self, global.frame_size, &global.body);
        let mut walk = Walk { summaries: self, escaping, changed: false, allocations: Some(Vec::new()) };
        walk.expr(&global.body, true);
        let mut allocations = walk.allocations.unwrap_or_default();
        allocations.sort_by_key(|allocation| (allocation.span.start, allocation.span.end));
        allocations
    }

    /// Whether argument `index` of a call of `global` with the result in an
    /// escaping position is escaping. Unknown globals are assumed to return
    /// every argument.
    /// A partial application keeps its arguments in the function value it
    /// returns, so they all escape with it.
    pub fn argument_escapes(&self, global: &str, index: usize, count: usize) -> bool {
        match self.params.get(global) {
            Some(flows) if count >= flows.len() => flows.get(index).copied().unwrap_or(true),
            _ => true,
        }
    }
}

/// The slots of a function body (a frame of `frame_size` slots) whose
/// values may reach its result.
pub fn escaping_slots(summaries: &Summaries, frame_size: u32, body: &Expr) -> Vec<bool> {
    let mut walk = Walk { summaries, escaping: vec![false; frame_size as usize], changed: false, allocations: None };
    // A recursive group or a slot reused across arms can make a slot
    // escaping after its binding was walked: repeat until nothing changes.
    loop {
        walk.changed = false;
        walk.expr(body, true);
        if !walk.changed {
            return walk.escaping;
        }
    }
}

/// Whether any slot a pattern binds is escaping.
pub fn pattern_escapes(escaping: &[bool], pattern: &Pattern) -> bool {
    match pattern {
        Pattern::Wildcard | Pattern::Lit(_) | Pattern::Nil => false,
        Pattern::Bind(slot) => escaping.get(*slot as usize).copied().unwrap_or(true),
        Pattern::Constructor(_, fields) | Pattern::Tuple(fields) => {
            fields.iter().any(|field| pattern_escapes(escaping, field))
        }
        Pattern::Cons(head, tail) => pattern_escapes(escaping, head) || pattern_escapes(escaping, tail),
    }
}

/// Whether a match's scrutinee is escaping, given whether the match is.
pub fn scrutinee_escapes(escaping: &[bool], matching: &Match, escapes: bool) -> bool {
    (escapes && matching.otherwise == Otherwise::ReturnScrutinee)
        || matching.arms.iter().any(|(pattern, _)| pattern_escapes(escaping, pattern))
}

/// Whether a recursive group's closures are escaping: one of their slots is.
pub fn group_escapes(escaping: &[bool], bindings: &[(u32, Lambda)]) -> bool {
    bindings.iter().any(|(slot, _)| escaping.get(*slot as usize).copied().unwrap_or(true))
}

struct Walk<'s> {
    summaries: &'s Summaries,
    escaping: Vec<bool>,
    changed: bool,
    /// Where constructor applications are recorded, when asked for.
    allocations: Option<Vec<Allocation>>,
}

impl Walk<'_> {
    fn mark(&mut self, slot: u32) {
        if let Some(flag) = self.escaping.get_mut(slot as usize)
            && !*flag
        {
            *flag = true;
            self.changed = true;
        }
    }

    fn is_escaping(&self, slot: u32) -> bool {
        self.escaping.get(slot as usize).copied().unwrap_or(true)
    }

    fn expr(&mut self, expr: &Expr, escapes: bool) {
        match expr {
            Expr::Lit(_) | Expr::Global(_) | Expr::Prim(_) | Expr::Constructor(_) => {}
            Expr::Local(slot) => {
                if escapes {
                    self.mark(*slot);
                }
            }
            Expr::Apply(function, args, span) => self.apply(function, args, *span, escapes),
            Expr::Lambda(lambda) => self.lambda(lambda, escapes),
            Expr::Let(slot, value, body) => {
                self.expr(body, escapes);
                let bound = self.is_escaping(*slot);
                self.expr(value, bound);
            }
            Expr::LetRec(bindings, body) => {
                self.expr(body, escapes);
                let group = group_escapes(&self.escaping, bindings);
                for (_, lambda) in bindings {
                    self.lambda(lambda, group);
                }
            }
            Expr::If(condition, then, otherwise) => {
                self.expr(condition, false);
                self.expr(then, escapes);
                self.expr(otherwise, escapes);
            }
            Expr::Match(matching) => {
                for (_, arm) in &matching.arms {
                    self.expr(arm, escapes);
                }
                let scrutinee = scrutinee_escapes(&self.escaping, matching, escapes);
                self.expr(&matching.scrutinee, scrutinee);
            }
            Expr::Arith(_, _, a, b, _) | Expr::Pow(_, a, b, _) | Expr::Compare(_, a, b, _) => {
                self.expr(a, false);
                self.expr(b, false);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                self.expr(a, false);
                self.expr(b, false);
            }
            Expr::Neg(_, a, _) | Expr::Not(a) => self.expr(a, false),
            Expr::Concat(a, b) | Expr::Cons(a, b) => {
                self.expr(a, escapes);
                self.expr(b, escapes);
            }
            Expr::List(items) | Expr::Tuple(items) => {
                for item in items {
                    self.expr(item, escapes);
                }
            }
            Expr::Field(record, _) => self.expr(record, escapes),
            Expr::Update(record, updates, _) => {
                self.expr(record, escapes);
                for (_, value) in updates {
                    self.expr(value, escapes);
                }
            }
        }
    }

    fn apply(&mut self, function: &Expr, args: &[Expr], span: Span, escapes: bool) {
        if let (Expr::Constructor(constructor), Some(allocations)) = (function, &mut self.allocations)
            && constructor.arity as usize == args.len()
            && !args.is_empty()
        {
            allocations.push(Allocation { span, constructor: constructor.name.clone(), escapes });
        }
        match function {
            Expr::Global(name) => {
                for (index, arg) in args.iter().enumerate() {
                    self.expr(arg, escapes && self.summaries.argument_escapes(name, index, args.len()));
                }
            }
            Expr::Prim(_) => {
                for arg in args {
                    self.expr(arg, false);
                }
            }
            _ => {
                self.expr(function, escapes);
                for arg in args {
                    self.expr(arg, escapes);
                }
            }
        }
    }

    fn lambda(&mut self, lambda: &Lambda, escapes: bool) {
        if escapes {
            for (outer, _) in &lambda.captures {
                self.mark(*outer);
            }
        }
    }
}
