//! Information flow in contract procedures (`spec/security.md`).
//!
//! A field of an object type may be written under an *authority*:
//! `balance:ℕ{owner}` says that only the account whose address is in the
//! object's `owner` field may influence it. A procedure's parameters are
//! chosen by whoever sends the transaction, so a value they influence may
//! flow into such a field only on a path where the procedure has checked
//! that the transaction's signer (its `Signer` parameter, which the chain
//! authenticates) is that authority: `if me.address == w.owner then …`.
//! Taking such an object apart (destroying it) needs the same check.
//!
//! The analysis walks each procedure's core IR with abstract values: for
//! each value, whether (and through what) the sender may have chosen it,
//! where it came from (a parameter, or a field path of one, so that a
//! comparison with the signer's address can be recognised), and, for
//! tuples and records built in the procedure, their components. Branches
//! carry a program counter: whether the branch was decided by the sender,
//! and which authorities the path has checked. Calls of the module's own
//! functions are followed with the arguments' abstract values; recursion
//! and calls nested too deep are analysed once with every argument
//! chosen by the sender. Values of an asset type are trusted whatever
//! chose them: their module keeps their total (`spec/assets.md`).

use crate::interface::AdtDef;
use min_core::{CmpOp, Constructor, Expr, Global, Lambda, Match, Otherwise, Pattern, Slot, Ty};
use min_diagnostics::{Diagnostic, Span, codes};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// How deep calls of the module's own functions are followed.
const CALL_DEPTH: usize = 24;

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
}

/// Checks the information flow of each of `procedures` (qualified names).
pub(crate) fn check(env: &Env, procedures: &[String]) -> Vec<Diagnostic> {
    if !env.types.values().any(|adt| env.objects.contains(&adt.qualified) && adt.has_authority()) {
        return Vec::new();
    }
    let mut analysis = Analysis {
        env,
        diagnostics: Vec::new(),
        reported: HashSet::default(),
        stack: Vec::new(),
        summarized: HashSet::default(),
    };
    for name in procedures {
        let Some(global) = env.globals.get(name.as_str()) else { continue };
        analysis.summarized.clear();
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
    /// The parameter, or field path of one, it is.
    origin: Option<Origin>,
    /// Its data type, when known.
    ty: Option<Arc<str>>,
    /// Its components, for a tuple or record built in the procedure.
    parts: Option<Rc<[Value]>>,
    /// What it calls, when it is a function the analysis can follow.
    callee: Option<Callee>,
}

impl Value {
    fn chosen_by(why: Rc<str>) -> Value {
        Value { sender: Some(why), ..Value::default() }
    }

    /// A value computed from `inputs`: chosen by the sender if any of them is.
    fn from_all<'v>(inputs: impl IntoIterator<Item = &'v Value>) -> Value {
        Value { sender: inputs.into_iter().find_map(|v| v.sender.clone()), ..Value::default() }
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
        self.eval(&global.body, &mut frame, &Pc::default());
        self.stack.pop();
    }

    /// The origin of the signer's address, if the procedure takes a signer.
    fn is_signer_address(&self, origin: &Origin) -> bool {
        origin.path == [0]
            && self.stack.first().and_then(|name| self.env.globals.get(name.as_str())).is_some_and(|global| {
                matches!(global.slots.get(origin.param as usize).map(|s| &s.ty), Some(Ty::Data(name, _)) if &**name == self.env.signer)
            })
    }

    fn authorized(&self, principal: &Value, pc: &Pc) -> bool {
        principal.origin.as_ref().is_some_and(|origin| self.is_signer_address(origin) || pc.authority.contains(origin))
    }

    fn eval(&mut self, expr: &Expr, frame: &mut Frame, pc: &Pc) -> Value {
        match expr {
            Expr::Lit(_) => Value::default(),
            Expr::Local(slot) => frame.get(*slot),
            Expr::Global(name) => match self.env.globals.get(name.as_str()) {
                Some(global) if global.arity == 0 => typed(Value::default(), &global.ty, self.env),
                _ => Value { callee: Some(Callee::Global(name.clone())), ..Value::default() },
            },
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
                let decided_by = self.eval(condition, frame, pc).sender;
                let (when_true, when_false) = self.checks(condition, frame, pc);
                let then = self.eval(then, frame, &pc.branch(&decided_by, when_true));
                let otherwise = self.eval(otherwise, frame, &pc.branch(&decided_by, when_false));
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
                let value = Value { parts: Some(args.into()), ty: ty.clone(), ..Value::default() };
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
            _ => Value::from_all(args.iter().chain([&function])),
        }
    }

    /// A call of one of the module's own functions, followed with the
    /// arguments' values; a recursive call, or one nested too deep, is
    /// analysed with every argument chosen by the sender instead.
    fn call(&mut self, global: &Global, args: Vec<Value>, pc: &Pc) -> Value {
        let follow = !self.stack.contains(&global.name) && self.stack.len() < CALL_DEPTH;
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
        for (pattern, body) in &matching.arms {
            self.destructure(pattern, &scrutinee, matching.span, pc);
            self.bind(pattern, &scrutinee, frame);
            let value = self.eval(body, frame, &arm_pc);
            result = Some(match result {
                Some(result) => join(&result, &value),
                None => value,
            });
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

    /// Checks that a pattern taking apart an object whose fields are under
    /// an authority runs where that authority is checked (`E0802`).
    fn destructure(&mut self, pattern: &Pattern, value: &Value, span: Span, pc: &Pc) {
        match pattern {
            Pattern::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    let part = self.field(value, 0, i as u32);
                    self.destructure(item, &part, span, pc);
                }
            }
            Pattern::Constructor(tag, fields) => {
                if let Some(adt) = self.guarded(value)
                    && let Some(constructor) = adt.constructors.get(*tag as usize)
                    && value.origin.as_ref().is_some_and(|origin| origin.path.is_empty())
                {
                    let mut principals: Vec<u32> = constructor.authority.iter().flatten().copied().collect();
                    principals.sort_unstable();
                    principals.dedup();
                    for principal in principals {
                        let authority = self.field(value, *tag, principal);
                        if !self.authorized(&authority, pc) {
                            let field = field_name(&adt, *tag, principal);
                            let ty = short(&adt.qualified);
                            self.report(
                                Diagnostic::error(
                                    codes::E0802,
                                    span,
                                    format!("this takes apart a `{ty}`, which only its `{field}` may destroy, without checking that the signer is its `{field}`"),
                                )
                                .with_span_label(format!("the `{ty}` is destroyed here"))
                                .with_help(format!(
                                    "take a `Signer` and destroy it only when `signer.address == value.{field}`, aborting otherwise"
                                )),
                            );
                        }
                    }
                }
                for (i, field) in fields.iter().enumerate() {
                    let part = self.field(value, *tag, i as u32);
                    self.destructure(field, &part, span, pc);
                }
            }
            _ => {}
        }
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
            Some(adt) if object && !is_under_authority(adt, tag, index) => value.sender.clone().or_else(|| {
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
            origin: value.origin.as_ref().map(|origin| origin.field(index)),
            ty,
            parts: None,
            callee: None,
        };
        if value.ty.as_ref().is_some_and(|ty| self.env.assets.contains(ty)) {
            Value { sender: None, ..value }
        } else {
            value
        }
    }

    /// Checks a new value of an object type whose fields are under an
    /// authority: a field the sender influenced needs its authority to be
    /// the signer, or checked to be (`E0801`). The authority fields
    /// themselves say who owns the new object and may be anything.
    fn construct(&mut self, constructor: &Constructor, args: &[Value], span: Span, pc: &Pc) {
        let Some(adt) =
            self.type_of(constructor).and_then(|ty| self.guarded(&Value { ty: Some(ty), ..Value::default() }))
        else {
            return;
        };
        let Some(def) = adt.constructors.get(constructor.tag as usize) else { return };
        for (index, authority) in def.authority.iter().enumerate() {
            let Some(authority) = authority else { continue };
            if def.authority.iter().flatten().any(|&a| a as usize == index) {
                continue;
            }
            let (value, principal) = (&args[index], &args[*authority as usize]);
            self.check_write(&adt, constructor.tag, index as u32, *authority, value, principal, span, pc, true);
        }
    }

    /// Checks an update of an object whose fields are under an authority;
    /// the authority is the one the object had before (`E0801`).
    fn update(&mut self, base: Value, updates: Vec<(u32, Value)>, span: Span, pc: &Pc) -> Value {
        if let Some(adt) = self.guarded(&base)
            && let Some(def) = adt.constructors.first()
        {
            for (index, value) in &updates {
                let authority = def
                    .authority
                    .get(*index as usize)
                    .copied()
                    .flatten()
                    .or_else(|| def.authority.iter().flatten().any(|&a| a == *index).then_some(*index));
                if let Some(authority) = authority {
                    let principal = self.field(&base, 0, authority);
                    self.check_write(&adt, 0, *index, authority, value, &principal, span, pc, false);
                }
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

    #[allow(clippy::too_many_arguments)]
    fn check_write(
        &mut self,
        adt: &AdtDef,
        tag: u32,
        index: u32,
        authority: u32,
        value: &Value,
        principal: &Value,
        span: Span,
        pc: &Pc,
        new: bool,
    ) {
        let Some(why) = value.sender.clone().or_else(|| pc.sender.clone()) else { return };
        if self.authorized(principal, pc) {
            return;
        }
        let (ty, field, owner) = (short(&adt.qualified), field_name(adt, tag, index), field_name(adt, tag, authority));
        let decided = value.sender.is_none();
        let what = if new { format!("a new `{ty}`") } else { format!("a `{ty}`") };
        let message = if decided {
            format!(
                "`{field}` of {what} is set on a path decided by {why}, which the sender chooses, without checking that the signer is its `{owner}`"
            )
        } else {
            format!(
                "`{field}` of {what} depends on {why}, which the sender chooses, without checking that the signer is its `{owner}`"
            )
        };
        let help = if new {
            format!(
                "only `{owner}` may influence `{field}`: set `{owner}` to the signer's address, or use values the transaction cannot choose"
            )
        } else {
            format!(
                "only `{owner}` may influence `{field}`: take a `Signer` and change it only when `signer.address == value.{owner}`, aborting otherwise"
            )
        };
        self.report(
            Diagnostic::error(codes::E0801, span, message)
                .with_span_label(format!("`{field}` is written here"))
                .with_help(help),
        );
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

/// What either of two branches may give.
fn join(a: &Value, b: &Value) -> Value {
    let sender = a.sender.clone().or_else(|| b.sender.clone());
    let same_origin = if a.origin == b.origin { a.origin.clone() } else { None };
    let parts = match (&a.parts, &b.parts) {
        (Some(x), Some(y)) if x.len() == y.len() => Some(x.iter().zip(y.iter()).map(|(x, y)| join(x, y)).collect()),
        _ => None,
    };
    let ty = if a.ty == b.ty { a.ty.clone() } else { None };
    Value { sender, origin: same_origin, ty, parts, callee: None }
}

/// Whether field `index` of constructor `tag` is under an authority or is one.
fn is_under_authority(adt: &AdtDef, tag: u32, index: u32) -> bool {
    adt.constructors.get(tag as usize).is_some_and(|c| {
        c.authority.get(index as usize).copied().flatten().is_some()
            || c.authority.iter().flatten().any(|&a| a == index)
    })
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
