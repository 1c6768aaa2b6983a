//! Information flow in contract procedures (`spec/security.md`).
//!
//! A field of an object type may be written under an *authority*:
//! `balance:ℕ{owner}` says that only the account whose address is in the
//! object's `owner` field may change it. Every transaction is sent by
//! someone who chose to send it, so a procedure may change such a field of
//! an object it consumes, or destroy the object, only on a path where it
//! has checked that the transaction's signer (its `Signer` parameter,
//! which the chain authenticates) is that authority:
//! `if me.address == w.owner then …`. A new object may hold anything.
//!
//! The analysis walks each procedure's core IR with abstract values: for
//! each value, whether (and through what) the sender may have chosen it,
//! which is what the diagnostics say; where it came from (a parameter, or
//! a field path of one), so that a comparison with the signer's address
//! can be recognised and a value built from an object's own parts can be
//! known as its next version; and, for tuples and records built in the
//! procedure, their components. Branches carry a program counter: which
//! authorities the path has checked. Calls of the module's own functions
//! are followed with the arguments' abstract values; recursion, calls
//! nested too deep and calls past a step budget are analysed once with
//! every argument chosen by the sender.
//!
//! The same walk follows the block time (a `Time` parameter), which the
//! block's proposer chooses within a window: it may decide whether a
//! transaction runs (one branch aborts), never which of two outcomes it
//! has or what its result holds (`E0810`, timestamp dependence).

use crate::interface::AdtDef;
use min_core::{CmpOp, Constructor, Expr, Global, Lambda, Match, Otherwise, Pattern, Slot, Ty};
use min_diagnostics::{Diagnostic, Span, codes};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// The prelude's `abort`, which never returns.
const PRELUDE_ABORT: &str = "Prelude.abort";

/// How deep calls of the module's own functions are followed.
const CALL_DEPTH: usize = 24;

/// How many expressions the analysis of one procedure evaluates before it
/// stops following calls (and analyses each callee once, with every
/// argument chosen by the sender): a bound on its time whatever the code.
const STEP_BUDGET: usize = 200_000;

/// What the analysis needs to know about the module and what it imports.
pub(crate) struct Env<'a> {
    /// The module's own globals, by qualified name.
    pub globals: HashMap<&'a str, &'a Global>,
    /// Every data type in scope, by qualified name.
    pub types: HashMap<Arc<str>, Arc<AdtDef>>,
    /// The module's own object types.
    pub objects: HashSet<Arc<str>>,
    /// Types whose values are trusted whatever chose them: assets, and
    /// plain data holding them.
    pub assets: HashSet<Arc<str>>,
    /// For each imported function, the data type its result has once
    /// applied to all its parameters, and how many parameters it takes.
    pub imported_results: HashMap<String, (usize, Option<Arc<str>>)>,
    /// The qualified name of the signer's type.
    pub signer: &'a str,
    /// The qualified name of the block time's type.
    pub time: &'a str,
}

/// Checks the information flow of each of `procedures` (qualified names).
pub(crate) fn check(env: &Env, procedures: &[String]) -> Vec<Diagnostic> {
    let guarded = env.types.values().any(|adt| env.objects.contains(&adt.qualified) && adt.has_authority());
    let timed = procedures.iter().filter_map(|name| env.globals.get(name.as_str())).any(|global| {
        global
            .slots
            .iter()
            .take(global.arity as usize)
            .any(|slot| matches!(&slot.ty, Ty::Data(name, _) if &**name == env.time))
    });
    if !guarded && !timed {
        return Vec::new();
    }
    let mut analysis = Analysis {
        env,
        diagnostics: Vec::new(),
        reported: HashSet::default(),
        stack: Vec::new(),
        summarized: HashSet::default(),
        steps: 0,
    };
    for name in procedures {
        let Some(global) = env.globals.get(name.as_str()) else { continue };
        analysis.summarized.clear();
        analysis.steps = 0;
        analysis.procedure(global);
    }
    analysis.diagnostics
}

/// Where a value came from, relative to the procedure being analysed:
/// its parameter `param`, then the fields `path` of it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    param: u32,
    path: Vec<u32>,
}

impl Origin {
    fn field(&self, index: u32) -> Origin {
        let mut path = self.path.clone();
        path.push(index);
        Origin { param: self.param, path }
    }
}

/// A callable value the analysis can follow.
#[derive(Clone, Debug)]
enum Callee {
    Global(String),
    Constructor(Constructor),
}

/// What the analysis knows of a value.
#[derive(Clone, Debug, Default)]
struct Value {
    /// If the sender may have chosen it, through what (`the parameter `amount``).
    sender: Option<Rc<str>>,
    /// If the block time decides it, through what (`the block time `now``).
    time: Option<Rc<str>>,
    /// The parameter, or field path of one, it is.
    origin: Option<Origin>,
    /// Its data type, when known.
    ty: Option<Arc<str>>,
    /// Its components, for a tuple or record built in the procedure.
    parts: Option<Rc<[Value]>>,
    /// What it calls, when it is a function the analysis can follow.
    callee: Option<Callee>,
    /// Whether computing it always aborts (`Prim.abort`).
    never: bool,
    /// Whether it is the function `Prim.abort` (or the prelude's `abort`).
    aborts: bool,
}

impl Value {
    fn chosen_by(why: Rc<str>) -> Value {
        Value { sender: Some(why), ..Value::default() }
    }

    /// A value computed from `inputs`: chosen by the sender if any of them
    /// is, and decided by the block time if any of them is.
    fn from_all<'v>(inputs: impl IntoIterator<Item = &'v Value>) -> Value {
        let (mut sender, mut time) = (None, None);
        for input in inputs {
            sender = sender.or_else(|| input.sender.clone());
            time = time.or_else(|| input.time.clone());
        }
        Value { sender, time, ..Value::default() }
    }

    /// The block time's story, if it decides this value or a part of it.
    fn timed(&self) -> Option<Rc<str>> {
        self.time.clone().or_else(|| self.parts.iter().flat_map(|parts| parts.iter()).find_map(Value::timed))
    }

    /// The same value, known to be chosen by the sender through `why`.
    fn tainted(mut self, why: &Option<Rc<str>>) -> Value {
        if self.sender.is_none() {
            self.sender = why.clone();
        }
        self
    }
}

/// The program counter: what decided that the current path runs.
#[derive(Clone, Debug, Default)]
struct Pc {
    /// If a branch on the path was decided by a value the sender chose, that value's story.
    sender: Option<Rc<str>>,
    /// Authorities the path has checked to be the signer.
    authority: Vec<Origin>,
}

impl Pc {
    fn branch(&self, decided_by: &Option<Rc<str>>, checked: Vec<Origin>) -> Pc {
        let mut pc = self.clone();
        if pc.sender.is_none() {
            pc.sender = decided_by.clone();
        }
        pc.authority.extend(checked);
        pc
    }
}

/// One frame: the values of its slots and what the slots hold.
struct Frame<'g> {
    values: Vec<Value>,
    slots: &'g [Slot],
}

impl Frame<'_> {
    fn set(&mut self, slot: u32, value: Value, env: &Env) {
        let value = match self.slots.get(slot as usize).map(|slot| &slot.ty) {
            Some(ty) => typed(value, ty, env),
            None => value,
        };
        if let Some(place) = self.values.get_mut(slot as usize) {
            *place = value;
        }
    }

    fn get(&self, slot: u32) -> Value {
        self.values.get(slot as usize).cloned().unwrap_or_default()
    }
}

/// `value` known to be of type `ty`: its data type recorded, and trusted if
/// that is an asset.
fn typed(mut value: Value, ty: &Ty, env: &Env) -> Value {
    if let Ty::Data(name, _) = ty {
        if env.assets.contains(name) {
            value.sender = None;
        }
        value.ty = Some(name.clone());
    }
    value
}

struct Analysis<'e, 'a> {
    env: &'e Env<'a>,
    diagnostics: Vec<Diagnostic>,
    reported: HashSet<(Span, codes::Code)>,
    /// The own globals being followed, innermost last.
    stack: Vec<String>,
    /// The own globals analysed with every argument chosen by the sender.
    summarized: HashSet<String>,
    /// Expressions evaluated for the current procedure.
    steps: usize,
}

impl Analysis<'_, '_> {
    fn procedure(&mut self, global: &Global) {
        let mut frame = Frame { values: vec![Value::default(); global.frame_size as usize], slots: &global.slots };
        for param in 0..global.arity {
            let slot = global.slots.get(param as usize);
            let origin = Some(Origin { param, path: Vec::new() });
            let value = match slot.map(|slot| &slot.ty) {
                Some(Ty::Data(name, _)) if &**name == self.env.signer || self.env.objects.contains(name) => {
                    Value { origin, ..Value::default() }
                }
                Some(Ty::Data(name, _)) if &**name == self.env.time => {
                    let name = slot.map(|slot| &*slot.name).filter(|name| !name.is_empty()).unwrap_or("now");
                    Value { origin, time: Some(format!("the block time `{name}`").into()), ..Value::default() }
                }
                _ => {
                    let name = slot.map(|slot| &*slot.name).filter(|name| !name.is_empty());
                    let why = match name {
                        Some(name) => format!("the parameter `{name}`"),
                        None => format!("parameter {} of the transaction", param + 1),
                    };
                    Value { origin, ..Value::chosen_by(why.into()) }
                }
            };
            frame.set(param, value, self.env);
        }
        self.stack.push(global.name.clone());
        let result = self.eval(&global.body, &mut frame, &Pc::default());
        self.stack.pop();
        if let Some(time) = result.timed() {
            let name = short(&global.name);
            self.report(
                Diagnostic::error(
                    codes::E0810,
                    global.span,
                    format!("what `{name}` makes depends on {time}, which the block's proposer chooses"),
                )
                .with_span_label(format!("`{name}`'s result depends on {time}"))
                .with_help(TIME_HELP),
            );
        }
    }

    /// Reports a branch at `span` that `time`, the block time, decides
    /// between two outcomes (`E0810`).
    fn decided_by_time(&mut self, time: &Rc<str>, span: Option<Span>) {
        let span =
            span.or_else(|| self.stack.last().and_then(|name| self.env.globals.get(name.as_str())).map(|g| g.span));
        let Some(span) = span else { return };
        self.report(
            Diagnostic::error(
                codes::E0810,
                span,
                format!("{time} decides which of two outcomes happens, and the block's proposer chooses it"),
            )
            .with_span_label(format!("decided by {time}"))
            .with_help(TIME_HELP),
        );
    }

    /// The origin of the signer's address, if the procedure takes a signer.
    fn is_signer_address(&self, origin: &Origin) -> bool {
        origin.path == [0]
            && self.stack.first().and_then(|name| self.env.globals.get(name.as_str())).is_some_and(|global| {
                matches!(global.slots.get(origin.param as usize).map(|s| &s.ty), Some(Ty::Data(name, _)) if &**name == self.env.signer)
            })
    }

    /// The data type of the procedure's parameter `param`.
    fn param_type(&self, param: u32) -> Option<&Arc<str>> {
        let procedure = self.env.globals.get(self.stack.first()?.as_str())?;
        match &procedure.slots.get(param as usize)?.ty {
            Ty::Data(name, _) => Some(name),
            _ => None,
        }
    }

    fn authorized(&self, principal: &Value, pc: &Pc) -> bool {
        principal.origin.as_ref().is_some_and(|origin| self.is_signer_address(origin) || pc.authority.contains(origin))
    }

    fn eval(&mut self, expr: &Expr, frame: &mut Frame, pc: &Pc) -> Value {
        self.steps += 1;
        match expr {
            Expr::Lit(_) => Value::default(),
            Expr::Local(slot) => frame.get(*slot),
            Expr::Global(name) if name == PRELUDE_ABORT => Value { aborts: true, ..Value::default() },
            Expr::Global(name) => match self.env.globals.get(name.as_str()) {
                Some(global) if global.arity == 0 => typed(Value::default(), &global.ty, self.env),
                _ => Value { callee: Some(Callee::Global(name.clone())), ..Value::default() },
            },
            Expr::Prim(min_core::Prim::Abort) => Value { aborts: true, ..Value::default() },
            Expr::Prim(_) => Value::default(),
            Expr::Constructor(constructor) => {
                if constructor.arity == 0 {
                    return Value { ty: self.type_of(constructor), ..Value::default() };
                }
                Value { callee: Some(Callee::Constructor(constructor.clone())), ..Value::default() }
            }
            Expr::Apply(function, args, span) => {
                let function = self.eval(function, frame, pc);
                let args: Vec<Value> = args.iter().map(|arg| self.eval(arg, frame, pc)).collect();
                self.apply(function, args, *span, pc)
            }
            Expr::Lambda(lambda) => {
                self.lambda(lambda, frame, pc);
                Value::default()
            }
            Expr::Let(slot, value, body) => {
                let value = self.eval(value, frame, pc);
                frame.set(*slot, value, self.env);
                self.eval(body, frame, pc)
            }
            Expr::LetRec(bindings, body) => {
                for (_, lambda) in bindings {
                    self.lambda(lambda, frame, pc);
                }
                self.eval(body, frame, pc)
            }
            Expr::If(condition, then, otherwise) => {
                let tested = self.eval(condition, frame, pc);
                let decided_by = tested.sender;
                let (when_true, when_false) = self.checks(condition, frame, pc);
                let then = self.eval(then, frame, &pc.branch(&decided_by, when_true));
                let otherwise = self.eval(otherwise, frame, &pc.branch(&decided_by, when_false));
                if let Some(time) = &tested.time
                    && !then.never
                    && !otherwise.never
                {
                    self.decided_by_time(time, span_of(condition));
                }
                join(&then, &otherwise).tainted(&decided_by)
            }
            Expr::Match(matching) => self.matching(matching, frame, pc),
            Expr::Arith(_, _, a, b, _) | Expr::Pow(_, a, b, _) | Expr::Compare(_, a, b, _) | Expr::Concat(a, b) => {
                let (a, b) = (self.eval(a, frame, pc), self.eval(b, frame, pc));
                Value::from_all([&a, &b])
            }
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Cons(a, b) => {
                let (a, b) = (self.eval(a, frame, pc), self.eval(b, frame, pc));
                Value::from_all([&a, &b])
            }
            Expr::Neg(_, a, _) | Expr::Not(a) => Value::from_all([&self.eval(a, frame, pc)]),
            Expr::List(items) => {
                let items: Vec<Value> = items.iter().map(|item| self.eval(item, frame, pc)).collect();
                Value::from_all(&items)
            }
            Expr::Tuple(items) => {
                let items: Vec<Value> = items.iter().map(|item| self.eval(item, frame, pc)).collect();
                Value { parts: Some(items.into()), ..Value::default() }
            }
            Expr::Field(base, index) => {
                let base = self.eval(base, frame, pc);
                self.field(&base, 0, *index)
            }
            Expr::Update(base, updates, span) => {
                let base = self.eval(base, frame, pc);
                let updates: Vec<(u32, Value)> =
                    updates.iter().map(|(index, value)| (*index, self.eval(value, frame, pc))).collect();
                self.update(base, updates, *span, pc)
            }
        }
    }

    /// A function value's body, analysed where it is made, with every
    /// parameter chosen by the sender (the analysis does not follow where
    /// the function goes).
    fn lambda(&mut self, lambda: &Lambda, outer: &Frame, pc: &Pc) {
        let mut frame = Frame { values: vec![Value::default(); lambda.frame_size as usize], slots: &lambda.slots };
        for param in 0..lambda.params {
            frame.set(param, Value::chosen_by("an argument of a function value".into()), self.env);
        }
        for &(from, to) in &lambda.captures {
            frame.set(to, outer.get(from), self.env);
        }
        self.eval(&lambda.body, &mut frame, pc);
    }

    /// The authorities a condition checks when it is true and when it is false.
    fn checks(&mut self, condition: &Expr, frame: &mut Frame, pc: &Pc) -> (Vec<Origin>, Vec<Origin>) {
        match condition {
            Expr::Compare(op @ (CmpOp::Eq | CmpOp::Ne), a, b, _) => {
                let (a, b) = (self.eval(a, frame, pc), self.eval(b, frame, pc));
                let checked = match (&a.origin, &b.origin) {
                    (Some(x), Some(y)) if self.is_signer_address(x) => vec![y.clone()],
                    (Some(x), Some(y)) if self.is_signer_address(y) => vec![x.clone()],
                    _ => Vec::new(),
                };
                if *op == CmpOp::Eq { (checked, Vec::new()) } else { (Vec::new(), checked) }
            }
            Expr::And(a, b) => {
                let (mut when_true, _) = self.checks(a, frame, pc);
                when_true.extend(self.checks(b, frame, pc).0);
                (when_true, Vec::new())
            }
            Expr::Or(a, b) => {
                let (_, mut when_false) = self.checks(a, frame, pc);
                when_false.extend(self.checks(b, frame, pc).1);
                (Vec::new(), when_false)
            }
            Expr::Not(a) => {
                let (when_true, when_false) = self.checks(a, frame, pc);
                (when_false, when_true)
            }
            _ => (Vec::new(), Vec::new()),
        }
    }

    fn apply(&mut self, function: Value, args: Vec<Value>, span: Span, pc: &Pc) -> Value {
        match function.callee.clone() {
            Some(Callee::Constructor(constructor)) if args.len() == constructor.arity as usize => {
                self.construct(&constructor, &args, span, pc);
                let ty = self.type_of(&constructor);
                let origin = self.rebuilt(&constructor, ty.as_ref(), &args);
                let value = Value { parts: Some(args.into()), ty: ty.clone(), origin, ..Value::default() };
                match ty {
                    Some(ty) if self.env.assets.contains(&ty) => Value { sender: None, ..value },
                    _ => value,
                }
            }
            Some(Callee::Global(name)) => {
                if let Some(global) = self.env.globals.get(name.as_str()).copied() {
                    let arity = global.arity as usize;
                    if arity > 0 && args.len() >= arity {
                        let rest = args[arity..].to_vec();
                        let mut args = args;
                        args.truncate(arity);
                        let result = self.call(global, args, pc);
                        return if rest.is_empty() { result } else { self.apply(result, rest, span, pc) };
                    }
                } else if let Some((arity, Some(result))) = self.env.imported_results.get(&name)
                    && *arity == args.len()
                {
                    let value = Value { ty: Some(result.clone()), ..Value::from_all(&args) };
                    return if self.env.assets.contains(result) { Value { sender: None, ..value } } else { value };
                }
                Value::from_all(&args)
            }
            _ if function.aborts => Value { never: true, ..Value::default() },
            _ => Value::from_all(args.iter().chain([&function])),
        }
    }

    /// A call of one of the module's own functions, followed with the
    /// arguments' values; a recursive call, or one nested too deep, is
    /// analysed with every argument chosen by the sender instead.
    fn call(&mut self, global: &Global, args: Vec<Value>, pc: &Pc) -> Value {
        let follow = !self.stack.contains(&global.name) && self.stack.len() < CALL_DEPTH && self.steps < STEP_BUDGET;
        let args = if follow {
            args
        } else if self.summarized.insert(global.name.clone()) {
            let why: Rc<str> = format!("an argument of the recursive `{}`", short(&global.name)).into();
            args.iter().map(|_| Value::chosen_by(why.clone())).collect()
        } else {
            return Value::from_all(&args).tainted(&pc.sender);
        };
        let mut frame = Frame { values: vec![Value::default(); global.frame_size as usize], slots: &global.slots };
        for (slot, value) in args.into_iter().enumerate() {
            frame.set(slot as u32, value, self.env);
        }
        self.stack.push(global.name.clone());
        let result = self.eval(&global.body, &mut frame, pc);
        self.stack.pop();
        let (_, result_ty) = parameters_and_result(&global.ty, global.arity as usize);
        typed(result, result_ty, self.env)
    }

    fn matching(&mut self, matching: &Match, frame: &mut Frame, pc: &Pc) -> Value {
        let scrutinee = self.eval(&matching.scrutinee, frame, pc);
        let mut decided_by = None;
        if matching.arms.len() > 1 || matching.otherwise == Otherwise::ReturnScrutinee {
            for (pattern, _) in &matching.arms {
                decided_by = decided_by.or_else(|| self.tested(pattern, &scrutinee));
            }
        }
        let arm_pc = pc.branch(&decided_by, Vec::new());
        let mut result: Option<Value> = None;
        let mut outcomes = usize::from(matching.otherwise == Otherwise::ReturnScrutinee);
        for (pattern, body) in &matching.arms {
            let mut destroyed = Vec::new();
            self.destructured(pattern, &scrutinee, pc, &mut destroyed);
            self.bind(pattern, &scrutinee, frame);
            let value = self.eval(body, frame, &arm_pc);
            outcomes += usize::from(!value.never);
            for destroyed in destroyed.iter().filter(|d| !value.never && !holds_version(&value, &d.origin)) {
                self.destroyed(destroyed, matching.span);
            }
            result = Some(match result {
                Some(result) => join(&result, &value),
                None => value,
            });
        }
        if let Some(time) = scrutinee.time.clone().filter(|_| outcomes > 1 && matching.arms.len() > 1) {
            self.decided_by_time(&time, Some(matching.span));
        }
        if matching.otherwise == Otherwise::ReturnScrutinee {
            result = Some(match result {
                Some(result) => join(&result, &scrutinee),
                None => scrutinee,
            });
        }
        result.unwrap_or_default().tainted(&decided_by)
    }

    /// Whether matching `pattern` against `value` tests something the sender chose, and what.
    fn tested(&self, pattern: &Pattern, value: &Value) -> Option<Rc<str>> {
        match pattern {
            Pattern::Wildcard | Pattern::Bind(_) => None,
            Pattern::Lit(_) | Pattern::Nil => value.sender.clone(),
            Pattern::Cons(head, tail) => value.sender.clone().or_else(|| {
                self.tested(head, &Value::from_all([value])).or_else(|| self.tested(tail, &Value::from_all([value])))
            }),
            Pattern::Tuple(items) => {
                items.iter().enumerate().find_map(|(i, item)| self.tested(item, &self.field(value, 0, i as u32)))
            }
            Pattern::Constructor(tag, fields) => {
                let single = value
                    .ty
                    .as_ref()
                    .and_then(|ty| self.env.types.get(ty))
                    .is_some_and(|adt| adt.constructors.len() == 1);
                let own = if single { None } else { value.sender.clone() };
                own.or_else(|| {
                    fields
                        .iter()
                        .enumerate()
                        .find_map(|(i, field)| self.tested(field, &self.field(value, *tag, i as u32)))
                })
            }
        }
    }

    /// Stores what `pattern` binds out of `value`.
    fn bind(&mut self, pattern: &Pattern, value: &Value, frame: &mut Frame) {
        match pattern {
            Pattern::Wildcard | Pattern::Lit(_) | Pattern::Nil => {}
            Pattern::Bind(slot) => frame.set(*slot, value.clone(), self.env),
            Pattern::Cons(head, tail) => {
                let item = Value::from_all([value]);
                self.bind(head, &item, frame);
                self.bind(tail, &item, frame);
            }
            Pattern::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    let part = self.field(value, 0, i as u32);
                    self.bind(item, &part, frame);
                }
            }
            Pattern::Constructor(tag, fields) => {
                for (i, field) in fields.iter().enumerate() {
                    let part = self.field(value, *tag, i as u32);
                    self.bind(field, &part, frame);
                }
            }
        }
    }

    /// The consumed objects with fields under an authority that `pattern`
    /// takes apart where the path has not checked every such authority:
    /// each is destroyed unless the arm rebuilds it (see [`Self::matching`]).
    fn destructured(&self, pattern: &Pattern, value: &Value, pc: &Pc, found: &mut Vec<Destroyed>) {
        match pattern {
            Pattern::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    let part = self.field(value, 0, i as u32);
                    self.destructured(item, &part, pc, found);
                }
            }
            Pattern::Constructor(tag, fields) => {
                if let Some(adt) = self.guarded(value)
                    && let Some(origin) = value.origin.as_ref().filter(|origin| origin.path.is_empty())
                {
                    let unchecked = principals(&adt, *tag)
                        .into_iter()
                        .find(|&principal| !self.authorized(&self.field(value, *tag, principal), pc));
                    if let Some(principal) = unchecked {
                        found.push(Destroyed { origin: origin.clone(), adt: adt.clone(), tag: *tag, principal });
                    }
                }
                for (i, field) in fields.iter().enumerate() {
                    let part = self.field(value, *tag, i as u32);
                    self.destructured(field, &part, pc, found);
                }
            }
            _ => {}
        }
    }

    /// Reports an object taken apart, and not rebuilt, without its authority (`E0802`).
    fn destroyed(&mut self, destroyed: &Destroyed, span: Span) {
        let field = field_name(&destroyed.adt, destroyed.tag, destroyed.principal);
        let ty = short(&destroyed.adt.qualified);
        self.report(
            Diagnostic::error(
                codes::E0802,
                span,
                format!(
                    "this takes apart a `{ty}`, which only its `{field}` may destroy, without checking that the signer is its `{field}`"
                ),
            )
            .with_span_label(format!("the `{ty}` is destroyed here"))
            .with_help(format!(
                "take a `Signer` and destroy it only when `signer.address == value.{field}`, aborting otherwise; to change it, build its next version with the same `{field}`"
            )),
        );
    }

    /// The consumed object that a new value of `constructor` is the next
    /// version of: the object whose authority fields it copies, every one.
    fn rebuilt(&self, constructor: &Constructor, ty: Option<&Arc<str>>, args: &[Value]) -> Option<Origin> {
        let adt = self.guarded(&Value { ty: ty.cloned(), ..Value::default() })?;
        let mut origin: Option<Origin> = None;
        for principal in principals(&adt, constructor.tag) {
            let from = args.get(principal as usize)?.origin.as_ref()?;
            let (field, object) = from.path.split_last()?;
            if *field != principal || !object.is_empty() {
                return None;
            }
            let object = Origin { param: from.param, path: Vec::new() };
            if self.param_type(from.param) != Some(&adt.qualified) {
                return None;
            }
            match &origin {
                Some(known) if *known != object => return None,
                _ => origin = Some(object),
            }
        }
        origin
    }

    /// The object type of `value`, if it is one of the module's objects
    /// with fields under an authority.
    fn guarded(&self, value: &Value) -> Option<Arc<AdtDef>> {
        let ty = value.ty.as_ref()?;
        if !self.env.objects.contains(ty) {
            return None;
        }
        self.env.types.get(ty).filter(|adt| adt.has_authority()).cloned()
    }

    /// Field `index` of constructor `tag` of `value`.
    fn field(&self, value: &Value, tag: u32, index: u32) -> Value {
        if let Some(parts) = &value.parts {
            return parts.get(index as usize).cloned().unwrap_or_default();
        }
        let adt = value.ty.as_ref().and_then(|ty| self.env.types.get(ty));
        let field_ty =
            adt.and_then(|adt| adt.constructors.get(tag as usize)).and_then(|c| c.fields.get(index as usize));
        let ty = match field_ty.map(|(_, ty)| ty) {
            Some(crate::types::Type::App(crate::types::Con::Adt(name), _)) => Some(name.clone()),
            _ => None,
        };
        let object = value.ty.as_ref().is_some_and(|ty| self.env.objects.contains(ty));
        let sender = match adt {
            Some(adt) if object && authority_of(adt, tag, index).is_none() => value.sender.clone().or_else(|| {
                let field = field_name(adt, tag, index);
                Some(
                    format!("the field `{field}` of a `{}`, which any transaction may have set", short(&adt.qualified))
                        .into(),
                )
            }),
            _ => value.sender.clone(),
        };
        let value = Value {
            sender,
            time: value.time.clone(),
            origin: value.origin.as_ref().map(|origin| origin.field(index)),
            ty,
            ..Value::default()
        };
        if value.ty.as_ref().is_some_and(|ty| self.env.assets.contains(ty)) {
            Value { sender: None, ..value }
        } else {
            value
        }
    }

    /// Checks a new value of an object type whose fields are under an
    /// authority. A new object may hold anything: its creator decides. The
    /// next version of a consumed object (built with the object's own
    /// authority fields, see [`Self::rebuilt`]) may change a guarded field
    /// only where the path has checked its authority (`E0801`).
    fn construct(&mut self, constructor: &Constructor, args: &[Value], span: Span, pc: &Pc) {
        let Some(adt) =
            self.type_of(constructor).and_then(|ty| self.guarded(&Value { ty: Some(ty), ..Value::default() }))
        else {
            return;
        };
        let Some(object) = self.rebuilt(constructor, Some(&adt.qualified), args) else { return };
        let old = Value { origin: Some(object), ty: Some(adt.qualified.clone()), ..Value::default() };
        for index in 0..args.len() as u32 {
            self.check_change(&adt, constructor.tag, index, &old, &args[index as usize], span, pc);
        }
    }

    /// Checks an update of an object whose fields are under an authority:
    /// a changed guarded field needs the authority the object had before
    /// (`E0801`).
    fn update(&mut self, base: Value, updates: Vec<(u32, Value)>, span: Span, pc: &Pc) -> Value {
        if let Some(adt) = self.guarded(&base) {
            for (index, value) in &updates {
                self.check_change(&adt, 0, *index, &base, value, span, pc);
            }
        }
        let arity = base
            .ty
            .as_ref()
            .and_then(|ty| self.env.types.get(ty))
            .and_then(|adt| adt.constructors.first())
            .map_or(0, |c| c.fields.len());
        if base.parts.is_none() && arity == 0 {
            return Value::from_all(updates.iter().map(|(_, value)| value).chain([&base]));
        }
        let mut parts: Vec<Value> = (0..arity.max(base.parts.as_ref().map_or(0, |p| p.len())))
            .map(|i| self.field(&base, 0, i as u32))
            .collect();
        for (index, value) in updates {
            if let Some(place) = parts.get_mut(index as usize) {
                *place = value;
            }
        }
        // A new version of an input object is still that object: taking it
        // apart destroys the input.
        Value { parts: Some(parts.into()), ty: base.ty, origin: base.origin, ..Value::default() }
    }

    /// Checks that field `index` of `old`, an object of `adt`'s constructor
    /// `tag`, keeps its value or changes on a path that has checked its
    /// authority (`E0801`). Every transaction is sent by someone: a change
    /// to a guarded field, whatever its new value, needs the authority.
    #[allow(clippy::too_many_arguments)]
    fn check_change(&mut self, adt: &AdtDef, tag: u32, index: u32, old: &Value, new: &Value, span: Span, pc: &Pc) {
        let Some(authority) = authority_of(adt, tag, index) else { return };
        if let Some(before) = self.field(old, tag, index).origin
            && same_as(new, &before)
        {
            return;
        }
        if self.authorized(&self.field(old, tag, authority), pc) {
            return;
        }
        let (ty, field, owner) = (short(&adt.qualified), field_name(adt, tag, index), field_name(adt, tag, authority));
        let because = match new.sender.clone().or_else(|| pc.sender.clone()) {
            Some(why) => format!(" (the new value depends on {why}, which the sender chooses)"),
            None => String::new(),
        };
        let message =
            format!("this changes `{field}` of a `{ty}` without checking that the signer is its `{owner}`{because}");
        let diagnostic = Diagnostic::error(codes::E0801, span, message)
            .with_span_label(format!("`{field}` changes here"))
            .with_help(format!(
                "only `{owner}` may change `{field}`: take a `Signer` and change it only when `signer.address == value.{owner}`, aborting otherwise"
            ));
        self.report(diagnostic);
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if self.reported.insert((diagnostic.span, diagnostic.code)) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// The data type a constructor builds, among the types in scope.
    fn type_of(&self, constructor: &Constructor) -> Option<Arc<str>> {
        self.env
            .types
            .values()
            .filter(|adt| self.env.objects.contains(&adt.qualified) || self.env.assets.contains(&adt.qualified))
            .find(|adt| {
                adt.constructors
                    .get(constructor.tag as usize)
                    .is_some_and(|c| c.name == constructor.name && c.fields.len() == constructor.arity as usize)
            })
            .map(|adt| adt.qualified.clone())
    }
}

/// An object taken apart on a path that did not check one of its
/// authorities: the consumed object, its type and constructor, and that
/// authority's field.
struct Destroyed {
    origin: Origin,
    adt: Arc<AdtDef>,
    tag: u32,
    principal: u32,
}

/// The fields of constructor `tag` of `adt` that other fields name as
/// their authority, in order.
fn principals(adt: &AdtDef, tag: u32) -> Vec<u32> {
    let mut principals: Vec<u32> =
        adt.constructors.get(tag as usize).map(|c| c.authority.iter().flatten().copied().collect()).unwrap_or_default();
    principals.sort_unstable();
    principals.dedup();
    principals
}

/// Whether `value` is the value at `origin`, or a copy of it built part by part.
fn same_as(value: &Value, origin: &Origin) -> bool {
    value.origin.as_ref() == Some(origin)
        || value
            .parts
            .as_ref()
            .is_some_and(|parts| parts.iter().enumerate().all(|(i, part)| same_as(part, &origin.field(i as u32))))
}

/// Whether `value` is, or holds, a new version of the consumed object `origin`.
fn holds_version(value: &Value, origin: &Origin) -> bool {
    (value.parts.is_some() && value.origin.as_ref() == Some(origin))
        || value.parts.iter().flat_map(|parts| parts.iter()).any(|part| holds_version(part, origin))
}

/// What either of two branches may give.
fn join(a: &Value, b: &Value) -> Value {
    if a.never {
        return b.clone();
    }
    if b.never {
        return a.clone();
    }
    let sender = a.sender.clone().or_else(|| b.sender.clone());
    let time = a.time.clone().or_else(|| b.time.clone());
    let same_origin = if a.origin == b.origin { a.origin.clone() } else { None };
    let parts = match (&a.parts, &b.parts) {
        (Some(x), Some(y)) if x.len() == y.len() => Some(x.iter().zip(y.iter()).map(|(x, y)| join(x, y)).collect()),
        _ => None,
    };
    let ty = if a.ty == b.ty { a.ty.clone() } else { None };
    Value { sender, time, origin: same_origin, ty, parts, ..Value::default() }
}

/// What E0810 advises.
const TIME_HELP: &str = "let the block time decide only whether the transaction runs: compare it with a deadline and abort on one side (`if reached now deadline then Prim.abort \"closed\" else …`)";

/// Where `expr` is in the source, if its core form says.
fn span_of(expr: &Expr) -> Option<Span> {
    match expr {
        Expr::Apply(_, _, span)
        | Expr::Arith(_, _, _, _, span)
        | Expr::Pow(_, _, _, span)
        | Expr::Neg(_, _, span)
        | Expr::Compare(_, _, _, span)
        | Expr::Update(_, _, span) => Some(*span),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Concat(a, b) | Expr::Cons(a, b) => match (span_of(a), span_of(b)) {
            (Some(a), Some(b)) => Some(a.to(b)),
            (a, b) => a.or(b),
        },
        Expr::Not(a) | Expr::Field(a, _) => span_of(a),
        Expr::Let(_, _, body) | Expr::LetRec(_, body) => span_of(body),
        _ => None,
    }
}

/// The field that field `index` of constructor `tag` is under: its
/// authority, or itself when it is an authority.
fn authority_of(adt: &AdtDef, tag: u32, index: u32) -> Option<u32> {
    let constructor = adt.constructors.get(tag as usize)?;
    constructor
        .authority
        .get(index as usize)
        .copied()
        .flatten()
        .or_else(|| constructor.authority.iter().flatten().any(|&a| a == index).then_some(index))
}

fn field_name(adt: &AdtDef, tag: u32, index: u32) -> String {
    adt.constructors
        .get(tag as usize)
        .and_then(|c| c.fields.get(index as usize))
        .and_then(|(name, _)| name.clone())
        .unwrap_or_else(|| format!("field {}", index + 1))
}

fn short(qualified: &str) -> &str {
    crate::types::short_name(qualified)
}

/// The parameters and result of a function type taking `arity` parameters.
fn parameters_and_result(ty: &Ty, arity: usize) -> (Vec<&Ty>, &Ty) {
    let mut params = Vec::new();
    let mut ty = ty;
    while params.len() < arity
        && let Ty::Fun(param, result) = ty
    {
        params.push(&**param);
        ty = result;
    }
    (params, ty)
}
