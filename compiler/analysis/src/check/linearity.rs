//! Linear asset types. A type declared `asset` (and any type that holds
//! one) is linear: each value of it is used exactly once on every path. It
//! cannot be copied, silently dropped, captured by a function value, or
//! given to a generic definition that would copy or drop it; only its own
//! module builds it or takes it apart.
//!
//! While the checker lowers a body it records how the body's locals flow
//! ([`Flow`]): bindings, uses, values thrown away, branches. Types are
//! still being inferred then, so the rules run at the end of the module,
//! once every type is known. Which quantified variables of a generic
//! definition may stand for an asset is inferred the same way: the body is
//! re-checked with that variable taken as linear.

use super::Checker;
use crate::interface::{AdtDef, TypeKind};
use crate::types::{Con, Type, TypePrinter};
use crate::unify::Unifier;
use min_core::Prim;
use min_diagnostics::{Code, Diagnostic, Span, codes};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;
use std::sync::Arc;

/// One step of how a body's values flow, recorded while it is checked.
#[derive(Clone, Debug)]
pub(crate) enum Flow {
    /// A local is bound.
    Bind { binding: u32, name: Arc<str>, ty: Type, span: Span },
    /// A local is used as a value: moved, if its type is linear.
    /// `captured` when the use is inside a function value defined below
    /// the binding.
    Use { binding: u32, span: Span, captured: bool },
    /// A value is thrown away.
    Discard { ty: Type, span: Span, why: Discard },
    /// A function applied to arguments; when the result is itself a
    /// function, it holds the arguments.
    Apply { args: Vec<(Type, Span)>, result: Type },
    /// A generic definition used with these types for its variables.
    Instance { callee: Callee, args: Vec<Type>, span: Span },
    /// `value.field`, which reads the field and leaves the value; `base`
    /// is the local read, if the value is one, and `by_reference` whether
    /// the path of reads starts at a reference input.
    FieldRead { field: String, ty: Type, span: Span, base: Option<u32>, by_reference: bool },
    /// Exactly one of the alternatives runs (each with where it is).
    Branch(Vec<(Span, Vec<Flow>)>),
    /// The path stops here: the program aborts, and a transaction that
    /// aborts changes nothing, so nothing on this path is lost.
    Diverge(Span),
}

/// Why a value is thrown away.
#[derive(Clone, Debug)]
pub(crate) enum Discard {
    /// A `_` pattern.
    Wildcard,
    /// A record pattern that does not name this field.
    UnnamedField(String),
    /// A field read from a value that is not kept.
    ReadTemporary,
    /// An operand of a comparison that is not a variable.
    Compared,
    /// The old value of a field replaced by a record update.
    OverwrittenField(String),
}

/// The generic definition used by an [`Flow::Instance`].
#[derive(Clone, Debug)]
pub(crate) enum Callee {
    /// A top-level definition, by qualified name.
    Global(String),
    /// A primitive.
    Prim(Prim),
    /// A generic local function, by name.
    Local(String),
}

/// The recorded flow of one top-level definition.
pub(crate) struct FlowBody {
    /// Its unqualified name.
    pub name: String,
    /// Where its name is.
    pub span: Span,
    /// Its number of parameters.
    pub arity: u32,
    /// Its type in the body: unification variables (or signature variables)
    /// where its scheme has quantified ones.
    pub instance: Type,
    /// What the body does with its values.
    pub flow: Vec<Flow>,
}

/// A quantified variable as the body of its definition sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VarKey {
    Var(u32),
    Rigid(Arc<str>),
}

/// What the linearity check gives the module's interface.
pub(crate) struct Linearity {
    /// The data types whose values are linear whatever their arguments.
    pub linear_types: BTreeSet<Arc<str>>,
    /// For each top-level definition, which of its quantified variables may
    /// stand for an asset.
    pub linear_safe: HashMap<String, Vec<bool>>,
}

impl Checker {
    /// Records one step of the flow of the body being checked. Steps about
    /// values whose type is already known not to be linear are left out.
    pub(crate) fn flow(&mut self, step: Flow) {
        let relevant = match &step {
            Flow::Bind { ty, .. } | Flow::Discard { ty, .. } | Flow::FieldRead { ty, .. } => self.may_be_linear(ty),
            Flow::Apply { result, .. } => !matches!(self.u.shallow_ref(result), Type::App(..)),
            Flow::Use { .. } | Flow::Instance { .. } | Flow::Branch(_) | Flow::Diverge(_) => true,
        };
        if relevant
            && self.recording_flows
            && let Some(current) = self.flows.last_mut()
        {
            current.push(step);
        }
    }

    /// Whether the linearity check needs the flow of a top-level definition:
    /// when the module knows linear types, or when the definition may be
    /// generic (its safety for linear types is inferred from its flow).
    pub(crate) fn needs_flow(&self, signature: Option<&crate::types::Scheme>) -> bool {
        !self.linear_types.is_empty() || signature.is_none_or(|scheme| !scheme.classes.is_empty())
    }

    /// Whether `ty`, as far as it is inferred yet, could still turn out
    /// linear (or be a type variable, which a generic definition's check
    /// takes as linear).
    pub(crate) fn may_be_linear(&self, ty: &Type) -> bool {
        match self.u.shallow_ref(ty) {
            Type::App(Con::List | Con::Tuple(_), args) => args.iter().any(|arg| self.may_be_linear(arg)),
            Type::App(Con::Adt(_) | Con::Rigid(_), _) | Type::Var(_) => true,
            Type::App(..) | Type::Fun(..) | Type::Gen(_) => false,
        }
    }

    /// Starts recording a sequence of steps (a body or an alternative).
    pub(crate) fn flow_open(&mut self) {
        if self.recording_flows {
            self.flows.push(Vec::new());
        }
    }

    /// Ends the sequence started by the matching [`Checker::flow_open`].
    pub(crate) fn flow_close(&mut self) -> Vec<Flow> {
        if !self.recording_flows {
            return Vec::new();
        }
        self.flows.pop().unwrap_or_default()
    }

    /// Turns the use of a local at `span`, just recorded, into a read that
    /// does not move it. Returns the local, if there was such a use.
    pub(crate) fn flow_borrow(&mut self, span: Span) -> Option<u32> {
        let current = self.flows.last_mut()?;
        match current.last() {
            Some(&Flow::Use { binding, span: at, .. }) if at == span => {
                current.pop();
                Some(binding)
            }
            _ => None,
        }
    }

    /// Records an application's arguments and its result type.
    pub(crate) fn flow_application(&mut self, args: Vec<(Type, Span)>, result: &Type) {
        if !args.is_empty() {
            self.flow(Flow::Apply { args, result: result.clone() });
        }
    }

    /// Reports building (`building`) or taking apart an asset outside the
    /// module that declares it.
    pub(crate) fn check_asset_access(&mut self, adt: &AdtDef, span: Span, building: bool) {
        if &*adt.qualified == crate::interface::REF {
            self.check_reference_access(span, building);
            return;
        }
        if let Some(given) = super::chain_given::ChainGiven::named(&adt.qualified)
            && building
        {
            self.check_chain_given_built(given, span);
            return;
        }
        if !adt.kind.owned() || adt.module() == self.env.module {
            return;
        }
        let (name, noun) = (crate::types::short_name(&adt.qualified), adt.kind.noun());
        let (message, label) = if building {
            (format!("only module `{}` can build a `{name}`: it is {noun}", adt.module()), "built here")
        } else {
            (format!("only module `{}` can take a `{name}` apart: it is {noun}", adt.module()), "taken apart here")
        };
        self.error(
            Diagnostic::error(codes::E0504, span, message)
                .with_span_label(label)
                .with_label(adt.span, format!("`{name}` is declared {noun} here"))
                .with_help(if adt.kind == TypeKind::Event {
                    format!("use the functions of module `{}` that log a `{name}`", adt.module())
                } else {
                    format!(
                        "use the functions of module `{}` that create, split, merge or destroy a `{name}`",
                        adt.module()
                    )
                }),
        );
    }

    /// Reports building or taking apart a reference input (`Ref`) outside
    /// tests: only the chain gives references, and taking one apart would
    /// copy its object out.
    fn check_reference_access(&mut self, span: Span, building: bool) {
        if self.in_test || self.env.module == "Prelude" {
            return;
        }
        let (message, label, help) = if building {
            (
                "only the chain makes a `Ref`: a procedure reads an object by reference when its transaction names it",
                "built here",
                "take a `Ref` parameter in the procedure; tests may build one to call it off the chain",
            )
        } else {
            (
                "a `Ref` is read through its object's fields, never taken apart",
                "taken apart here",
                "read the fields you need: `r.price`, where `r : Ref Offer`",
            )
        };
        self.error(Diagnostic::error(codes::E0808, span, message).with_span_label(label).with_help(help));
    }

    /// Checks every recorded body against the linearity rules, once the
    /// module's types are known; infers which quantified variables of each
    /// definition may stand for an asset.
    pub(crate) fn check_linearity(&mut self) -> Linearity {
        let linear_types = self.linear_types.clone();
        let assets: HashMap<Arc<str>, TypeKind> = self
            .env
            .own_types
            .values()
            .chain(self.env.modules.values().flat_map(|interface| interface.types.values()))
            .filter(|adt| adt.kind.linear())
            .map(|adt| (adt.qualified.clone(), adt.kind))
            .collect();
        let bodies = std::mem::take(&mut self.flow_bodies);
        let imported = self.imported_linear_safety();
        let mut safe: HashMap<String, Vec<bool>> = HashMap::default();
        let mut vars: Vec<Vec<Option<VarKey>>> = Vec::new();
        for body in &bodies {
            let scheme = &self.env.globals[&body.name].scheme;
            let mut keys = vec![None; scheme.classes.len()];
            quantified_vars(&self.u, &body.instance, &scheme.ty, &mut keys);
            safe.insert(self.env.globals[&body.name].qualified.clone(), vec![true; keys.len()]);
            vars.push(keys);
        }
        // The greatest fixed point: assume every variable may stand for an
        // asset, and withdraw that where the body then breaks a rule. A body
        // is checked again only when a definition it uses lost a variable.
        let qualified: Vec<String> = bodies.iter().map(|body| self.env.globals[&body.name].qualified.clone()).collect();
        let callees: Vec<HashSet<String>> = bodies.iter().map(|body| own_callees(&body.flow, &safe)).collect();
        let mut pending: Vec<bool> = vars.iter().map(|keys| keys.iter().any(Option::is_some)).collect();
        while pending.iter().any(|&p| p) {
            let mut withdrawn: HashSet<&str> = HashSet::default();
            for (index, (body, keys)) in bodies.iter().zip(&vars).enumerate() {
                if !std::mem::take(&mut pending[index]) {
                    continue;
                }
                let rules = Rules {
                    u: &self.u,
                    linear_types: &linear_types,
                    assets: &assets,
                    safe: &safe,
                    imported: &imported,
                };
                let baseline = rules.errors(body, None).len();
                let mut verdicts = safe[&qualified[index]].clone();
                for (variable, key) in keys.iter().enumerate() {
                    if let Some(key) = key
                        && verdicts[variable]
                        && rules.errors(body, Some(key)).len() > baseline
                    {
                        verdicts[variable] = false;
                        withdrawn.insert(&qualified[index]);
                    }
                }
                safe.insert(qualified[index].clone(), verdicts);
            }
            for (index, uses) in callees.iter().enumerate() {
                if uses.iter().any(|callee| withdrawn.contains(callee.as_str())) {
                    pending[index] = true;
                }
            }
        }
        let rules =
            Rules { u: &self.u, linear_types: &linear_types, assets: &assets, safe: &safe, imported: &imported };
        let mut diagnostics = Vec::new();
        for body in &bodies {
            diagnostics.extend(rules.errors(body, None));
            if body.arity == 0 && rules.is_linear(&body.instance, None) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::E0506,
                        body.span,
                        format!("the top-level value `{}` has type {}", body.name, rules.describe(&body.instance)),
                    )
                    .with_span_label("every use would get the same asset")
                    .with_help("make it a function that creates the asset, so each call makes a new one"),
                );
            }
        }
        self.diagnostics.extend(diagnostics);
        let linear_safe = bodies
            .iter()
            .map(|body| (body.name.clone(), safe[&self.env.globals[&body.name].qualified].clone()))
            .collect();
        Linearity { linear_types, linear_safe }
    }

    /// The linear data types this module knows: those of its imports, and
    /// its own assets and types with a field that holds a linear value.
    pub(crate) fn find_linear_types(&self) -> BTreeSet<Arc<str>> {
        let mut linear: BTreeSet<Arc<str>> =
            self.env.modules.values().flat_map(|interface| interface.linear_types.iter().cloned()).collect();
        loop {
            let before = linear.len();
            for adt in self.env.own_types.values() {
                let holds = adt.kind.linear()
                    || adt.constructors.iter().flat_map(|c| &c.fields).any(|(_, ty)| holds_linear(ty, &linear));
                if holds {
                    linear.insert(adt.qualified.clone());
                }
            }
            if linear.len() == before {
                return linear;
            }
        }
    }

    /// Which quantified variables of each imported definition may stand for an asset.
    fn imported_linear_safety(&self) -> HashMap<String, Vec<bool>> {
        self.env
            .modules
            .values()
            .flat_map(|interface| interface.values.values())
            .chain(self.env.imported_values.values())
            .map(|value| (value.qualified.clone(), value.linear_safe.clone()))
            .collect()
    }
}

/// The definitions of this module (those in `own`) that `flow` uses generically.
fn own_callees(flow: &[Flow], own: &HashMap<String, Vec<bool>>) -> HashSet<String> {
    let mut found = HashSet::default();
    let mut stack: Vec<&[Flow]> = vec![flow];
    while let Some(steps) = stack.pop() {
        for step in steps {
            match step {
                Flow::Instance { callee: Callee::Global(name), .. } if own.contains_key(name) => {
                    found.insert(name.clone());
                }
                Flow::Branch(alternatives) => stack.extend(alternatives.iter().map(|(_, steps)| steps.as_slice())),
                _ => {}
            }
        }
    }
    found
}

/// Whether a type (a field's, or a resolved one) holds a linear value whatever
/// its type arguments stand for; type variables count as not linear.
pub(crate) fn holds_linear(ty: &Type, linear: &BTreeSet<Arc<str>>) -> bool {
    match ty {
        Type::App(Con::Adt(name), _) if &**name == crate::interface::REF => false,
        Type::App(Con::Adt(name), args) => linear.contains(name) || args.iter().any(|a| holds_linear(a, linear)),
        Type::App(_, args) => args.iter().any(|a| holds_linear(a, linear)),
        Type::Fun(..) | Type::Var(_) | Type::Gen(_) => false,
    }
}

/// Whether values of `ty` are linear, given the module's linear data types,
/// with `hypothesis` (a variable under inference) taken as linear.
pub(crate) fn is_linear(
    u: &Unifier,
    linear_types: &BTreeSet<Arc<str>>,
    ty: &Type,
    hypothesis: Option<&VarKey>,
) -> bool {
    let linear = |arg: &Type| is_linear(u, linear_types, arg, hypothesis);
    match u.shallow_ref(ty) {
        Type::Var(v) => hypothesis == Some(&VarKey::Var(*v)),
        Type::App(Con::Rigid(name), _) => matches!(hypothesis, Some(VarKey::Rigid(h)) if h == name),
        // A reference reads its object and leaves it where it is.
        Type::App(Con::Adt(name), _) if &**name == crate::interface::REF => false,
        Type::App(Con::Adt(name), args) => linear_types.contains(name) || args.iter().any(linear),
        Type::App(_, args) => args.iter().any(linear),
        Type::Fun(..) | Type::Gen(_) => false,
    }
}

/// Pairs the scheme's quantified variables with the types the body gave them.
fn quantified_vars(u: &Unifier, instance: &Type, scheme: &Type, out: &mut [Option<VarKey>]) {
    match (u.shallow_ref(instance), scheme) {
        (Type::Var(v), Type::Gen(i)) => {
            if let Some(slot) = out.get_mut(*i as usize) {
                *slot = Some(VarKey::Var(*v));
            }
        }
        (Type::App(Con::Rigid(name), _), Type::Gen(i)) => {
            if let Some(slot) = out.get_mut(*i as usize) {
                *slot = Some(VarKey::Rigid(name.clone()));
            }
        }
        (Type::App(_, args), Type::App(_, params)) => {
            for (arg, param) in args.iter().zip(params) {
                quantified_vars(u, arg, param, out);
            }
        }
        (Type::Fun(a, b), Type::Fun(p, q)) => {
            quantified_vars(u, a, p, out);
            quantified_vars(u, b, q, out);
        }
        _ => {}
    }
}

/// The rules, over the module's resolved types.
struct Rules<'a> {
    u: &'a Unifier,
    linear_types: &'a BTreeSet<Arc<str>>,
    /// The types declared `asset` or `object` among them, for messages.
    assets: &'a HashMap<Arc<str>, TypeKind>,
    /// This module's definitions: which variables may stand for an asset.
    safe: &'a HashMap<String, Vec<bool>>,
    /// The same for imported definitions.
    imported: &'a HashMap<String, Vec<bool>>,
}

/// A linear local in scope.
struct Binder {
    name: Arc<str>,
    ty: Type,
    span: Span,
}

/// The walk over one body: which linear locals are moved, and where.
struct Walk<'r, 'a> {
    rules: &'r Rules<'a>,
    /// The variable taken as linear, when inferring a definition's safety.
    hypothesis: Option<&'r VarKey>,
    binders: HashMap<u32, Binder>,
    reported: HashSet<(u32, Code)>,
    diagnostics: Vec<Diagnostic>,
}

/// For each linear local in scope, where it was moved (if it was).
type Moves = HashMap<u32, Option<Span>>;

impl Rules<'_> {
    /// Every rule `body` breaks, with `hypothesis` taken as linear.
    fn errors(&self, body: &FlowBody, hypothesis: Option<&VarKey>) -> Vec<Diagnostic> {
        if hypothesis.is_none() && self.linear_types.is_empty() {
            return Vec::new();
        }
        let mut walk = Walk {
            rules: self,
            hypothesis,
            binders: HashMap::default(),
            reported: HashSet::default(),
            diagnostics: Vec::new(),
        };
        let mut moves = Moves::default();
        walk.steps(&body.flow, &mut moves);
        walk.report_unused(&moves, |_| true);
        walk.diagnostics
    }

    /// Whether values of `ty` are linear, with `hypothesis` taken as linear.
    fn is_linear(&self, ty: &Type, hypothesis: Option<&VarKey>) -> bool {
        is_linear(self.u, self.linear_types, ty, hypothesis)
    }

    /// Whether the generic definition may take a linear value for its variable `index`.
    fn takes_linear(&self, callee: &Callee, index: usize) -> bool {
        match callee {
            Callee::Global(name) => {
                let verdicts = self.safe.get(name).or_else(|| self.imported.get(name));
                verdicts.and_then(|v| v.get(index)).copied().unwrap_or(true)
            }
            // `show` turns its argument into text and drops it.
            Callee::Prim(prim) => *prim != Prim::Show,
            Callee::Local(_) => false,
        }
    }

    fn show(&self, ty: &Type) -> String {
        TypePrinter::default().show(&self.u.resolve(ty))
    }

    /// "`Coin`, an asset" or "`(Coin, ℕ)`, which holds an asset".
    fn describe(&self, ty: &Type) -> String {
        let shown = self.show(ty);
        match self.u.shallow_ref(ty) {
            Type::App(Con::Adt(name), _) if let Some(kind) = self.assets.get(name) => {
                format!("`{shown}`, {}", kind.noun())
            }
            _ => format!("`{shown}`, which holds an asset"),
        }
    }
}

impl Walk<'_, '_> {
    fn linear(&self, ty: &Type) -> bool {
        self.rules.is_linear(ty, self.hypothesis)
    }

    fn report(&mut self, key: Option<(u32, Code)>, diagnostic: Diagnostic) {
        if let Some(key) = key
            && !self.reported.insert(key)
        {
            return;
        }
        self.diagnostics.push(diagnostic);
    }

    fn steps(&mut self, steps: &[Flow], moves: &mut Moves) {
        for step in steps {
            self.step(step, moves);
        }
    }

    fn step(&mut self, step: &Flow, moves: &mut Moves) {
        match step {
            Flow::Bind { binding, name, ty, span } => {
                if self.linear(ty) {
                    self.binders.insert(*binding, Binder { name: name.clone(), ty: ty.clone(), span: *span });
                    moves.insert(*binding, None);
                }
            }
            Flow::Use { binding, span, captured } => self.use_local(*binding, *span, *captured, moves),
            Flow::Discard { ty, span, why } => {
                if self.linear(ty) {
                    let diagnostic = self.discarded(ty, *span, why);
                    self.report(None, diagnostic);
                }
            }
            Flow::Apply { args, result } => {
                if !matches!(self.rules.u.shallow_ref(result), Type::Fun(..)) {
                    return;
                }
                if let Some((ty, span)) = args.iter().find(|(ty, _)| self.linear(ty)) {
                    let diagnostic = Diagnostic::error(
                        codes::E0503,
                        *span,
                        format!(
                            "this argument has type {}, and the function it is given to still expects more arguments",
                            self.rules.describe(ty)
                        ),
                    )
                    .with_span_label("kept inside a function value")
                    .with_help("a function value may be called many times or never; give the function all its arguments at once");
                    self.report(None, diagnostic);
                }
            }
            Flow::Instance { callee, args, span } => {
                for (index, arg) in args.iter().enumerate() {
                    if self.linear(arg) && !self.rules.takes_linear(callee, index) {
                        let diagnostic = self.generic_misuse(callee, arg, *span);
                        self.report(None, diagnostic);
                        break;
                    }
                }
            }
            Flow::FieldRead { field, ty, span, base, by_reference } => {
                if self.linear(ty) {
                    // The value read from is spent by this mistake; say only this.
                    if let Some(base) = base
                        && let Some(moved @ None) = moves.get_mut(base)
                    {
                        *moved = Some(*span);
                    }
                    let diagnostic = Diagnostic::error(
                        codes::E0507,
                        *span,
                        format!("reading `.{field}` would copy a value of type {}", self.rules.describe(ty)),
                    )
                    .with_span_label(if *by_reference {
                        "the object read would keep it too"
                    } else {
                        "the record would keep it too"
                    })
                    .with_help(if *by_reference {
                        "a reference only reads its object: read the plain fields inside this one (`.field.amount`)"
                    } else {
                        "take the record apart with a pattern to move the field out"
                    });
                    self.report(None, diagnostic);
                }
            }
            Flow::Branch(alternatives) => self.branch(alternatives, moves),
            Flow::Diverge(span) => {
                for moved in moves.values_mut() {
                    moved.get_or_insert(*span);
                }
            }
        }
    }

    fn use_local(&mut self, binding: u32, span: Span, captured: bool, moves: &mut Moves) {
        let Some(binder) = self.binders.get(&binding) else { return };
        let (name, described, bound_at) = (binder.name.clone(), self.rules.describe(&binder.ty), binder.span);
        if captured {
            let diagnostic = Diagnostic::error(
                codes::E0503,
                span,
                format!("this function value captures `{name}`, of type {described}"),
            )
            .with_span_label("captured here")
            .with_label(bound_at, "bound here")
            .with_help(format!(
                "a function value may be called many times or never; pass `{name}` to it as an argument instead"
            ));
            self.report(Some((binding, codes::E0503)), diagnostic);
            // Counted as its use, so that it is not also reported as dropped.
            if let Some(moved @ None) = moves.get_mut(&binding) {
                *moved = Some(span);
            }
            return;
        }
        match moves.get(&binding) {
            Some(None) => {
                moves.insert(binding, Some(span));
            }
            Some(Some(first)) => {
                let diagnostic = Diagnostic::error(
                    codes::E0501,
                    span,
                    format!("`{name}` is used twice, but its type is {described}"),
                )
                .with_span_label("used again here")
                .with_label(*first, "moved here first")
                .with_label(bound_at, "bound here")
                .with_help("a linear value is used exactly once: pass it on, or split it with its module's functions");
                self.report(Some((binding, codes::E0501)), diagnostic);
            }
            None => {}
        }
    }

    /// Alternatives start from the same moves; each must move the same
    /// linear locals of the scope around it, and every linear local it
    /// binds itself.
    fn branch(&mut self, alternatives: &[(Span, Vec<Flow>)], moves: &mut Moves) {
        let before = moves.clone();
        let mut outcomes: Vec<(Span, Moves)> = Vec::new();
        for (span, steps) in alternatives {
            let mut inner = before.clone();
            self.steps(steps, &mut inner);
            self.report_unused(&inner, |binding| !before.contains_key(&binding));
            inner.retain(|binding, _| before.contains_key(binding));
            outcomes.push((*span, inner));
        }
        let mut bindings: Vec<u32> = before.iter().filter(|(_, moved)| moved.is_none()).map(|(&b, _)| b).collect();
        bindings.sort_unstable();
        for binding in bindings {
            let used_at = outcomes.iter().find_map(|(_, moves)| moves.get(&binding).copied().flatten());
            let Some(used_at) = used_at else { continue };
            for (span, outcome) in &outcomes {
                if outcome.get(&binding).copied().flatten().is_none() {
                    let binder = &self.binders[&binding];
                    let diagnostic = Diagnostic::error(
                        codes::E0502,
                        *span,
                        format!(
                            "`{}` is not used on this path, but it is on another, and its type is {}",
                            binder.name,
                            self.rules.describe(&binder.ty)
                        ),
                    )
                    .with_span_label(format!("`{}` is dropped here", binder.name))
                    .with_label(used_at, "used here on another path")
                    .with_label(binder.span, "bound here")
                    .with_help("every path must use a linear value exactly once");
                    self.report(Some((binding, codes::E0502)), diagnostic);
                }
            }
            moves.insert(binding, Some(used_at));
        }
    }

    /// Reports the linear locals in `moves` (among those `which` selects)
    /// that were never used.
    fn report_unused(&mut self, moves: &Moves, which: impl Fn(u32) -> bool) {
        let mut unused: Vec<u32> =
            moves.iter().filter(|&(&b, moved)| moved.is_none() && which(b)).map(|(&b, _)| b).collect();
        unused.sort_unstable();
        for binding in unused {
            let binder = &self.binders[&binding];
            let diagnostic = Diagnostic::error(
                codes::E0502,
                binder.span,
                format!("`{}` is never used, but its type is {}", binder.name, self.rules.describe(&binder.ty)),
            )
            .with_span_label("bound here and then dropped")
            .with_help(
                "a linear value cannot be dropped: return it, pass it on, or destroy it with its module's functions",
            );
            self.report(Some((binding, codes::E0502)), diagnostic);
        }
    }

    fn discarded(&self, ty: &Type, span: Span, why: &Discard) -> Diagnostic {
        let described = self.rules.describe(ty);
        let message = match why {
            Discard::Wildcard => format!("this `_` drops a value of type {described}"),
            Discard::UnnamedField(field) => {
                format!("this pattern leaves out the field `{field}` and so drops it; its type is {described}")
            }
            Discard::ReadTemporary => format!("this value is dropped after its field is read; its type is {described}"),
            Discard::Compared => format!("this value is dropped after the comparison; its type is {described}"),
            Discard::OverwrittenField(field) => {
                format!("replacing the field `{field}` drops its old value; its type is {described}")
            }
        };
        Diagnostic::error(codes::E0502, span, message)
            .with_span_label("dropped here")
            .with_help("a linear value cannot be dropped: bind it to a name and pass it on")
    }

    fn generic_misuse(&self, callee: &Callee, arg: &Type, span: Span) -> Diagnostic {
        let described = self.rules.describe(arg);
        match callee {
            Callee::Local(name) => Diagnostic::error(
                codes::E0505,
                span,
                format!("the local function `{name}` is generic, so it cannot take a value of type {described}"),
            )
            .with_help("define it at the top level, where Min infers whether it uses each value exactly once, or give it a signature with the linear type"),
            Callee::Global(name) => Diagnostic::error(
                codes::E0505,
                span,
                format!("`{name}` may copy or drop its argument, so it cannot take a value of type {described}"),
            )
            .with_span_label("used with a linear type here")
            .with_help("use a function that uses each value exactly once, or write one for this type"),
            Callee::Prim(prim) => Diagnostic::error(
                codes::E0505,
                span,
                format!("`Prim.{}` drops its argument, so it cannot take a value of type {described}", prim.name()),
            )
            .with_span_label("used with a linear type here"),
        }
    }
}
