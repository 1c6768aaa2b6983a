//! Checking a module's definitions apart. In a module without procedures,
//! a definition whose signature names no type variable, that is a
//! function, and that has no specification clause gives the rest of the
//! module nothing but its signature: its body can be inferred and lowered on its
//! own, against the module's environment (the schemes of its definitions,
//! its types and its imports). The module is then checked without those
//! bodies (its *frame*), each of them separately, and the results are put
//! together ([`Parts::assemble`]) into what checking the module in one
//! pass gives.
//!
//! That holds only when no body can tell another anything: when the module
//! knows no linear type (a body's flow then decides nothing about the
//! others) and every definition's scheme is closed once the unsigned
//! definitions are inferred (no monomorphic type variable that a body
//! could settle). The frame checks this ([`Checker::separable`]); when it
//! fails, the module is checked in one pass.

use super::{Checked, Checker, GlobalEntry, NameInfo, TestInfo};
use crate::interface::{AdtDef, Interface, ValueInfo, without_position};
use min_core as core;
use min_diagnostics::{Diagnostic, Span};
use min_syntax::ast;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a definition checked apart from its module sees: the module's
/// name, imports, types and the closed schemes of its definitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    /// The module's name.
    pub(super) module: String,
    /// Modules usable qualified, by name.
    pub(super) modules: Arc<BTreeMap<String, Arc<Interface>>>,
    /// Values usable unqualified from other modules.
    pub(super) imported_values: Arc<HashMap<String, ValueInfo>>,
    /// Types usable unqualified from other modules.
    pub(super) imported_types: Arc<HashMap<String, Arc<AdtDef>>>,
    /// This module's types.
    pub(super) own_types: Arc<BTreeMap<String, Arc<AdtDef>>>,
    /// This module's definitions.
    pub(super) globals: Arc<HashMap<String, GlobalEntry>>,
    /// Constructors usable unqualified: this module's shadow imported ones.
    pub(super) constructor_index: Arc<HashMap<String, (Arc<AdtDef>, u32)>>,
    /// Record types usable unqualified, by each of their field names.
    pub(super) record_index: Arc<HashMap<String, Vec<Arc<AdtDef>>>>,
}

impl Environment {
    /// The environment of module `name` before anything is declared.
    pub(super) fn empty(name: &str) -> Environment {
        Environment {
            module: name.to_string(),
            modules: Default::default(),
            imported_values: Default::default(),
            imported_types: Default::default(),
            own_types: Default::default(),
            globals: Default::default(),
            constructor_index: Default::default(),
            record_index: Default::default(),
        }
    }
}

/// What checking a module (or its frame) produces before the definitions
/// checked apart are added and everything is ordered.
#[derive(Clone, Debug)]
pub struct Parts {
    /// What importers see: complete, since a definition checked apart
    /// contributes only its signature.
    pub interface: Interface,
    /// Each definition's core global, by its index in the module; `None`
    /// for one not lowered (defined twice, or checked apart).
    pub globals: Vec<Option<core::Global>>,
    /// The specification clauses' core globals.
    pub specs: Vec<core::Spec>,
    /// The problems found, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The names written in the bodies checked.
    pub names: Vec<NameInfo>,
    /// The names of the definitions where they are defined.
    pub defined: Vec<NameInfo>,
    /// The module's tests.
    pub tests: Vec<TestInfo>,
}

/// One definition checked apart from its module.
#[derive(Clone, Debug)]
pub struct Separate {
    /// Its index among the module's definitions.
    pub index: usize,
    /// Its core global.
    pub global: core::Global,
    /// The problems found in it.
    pub diagnostics: Vec<Diagnostic>,
    /// The names written in it.
    pub names: Vec<NameInfo>,
}

impl Separate {
    /// The results of the same definition `by` bytes further in its file
    /// (wrapping, as [`Span::shifted`]): a definition is checked with its
    /// spans counted from its own start, and its results are moved to
    /// where it is.
    pub fn moved(&self, by: u32) -> Separate {
        let mut moved = self.clone();
        if by != 0 {
            let place = |span: Span| span.shifted(by);
            moved.global.map_spans(&place);
            moved.diagnostics.iter_mut().for_each(|diagnostic| diagnostic.map_spans(&place));
            moved.names.iter_mut().for_each(|name| place_name(name, &place));
        }
        moved
    }
}

/// Replaces the spans of `name` (where it is written, and where a local it
/// refers to is bound) by `place(span)`.
fn place_name(name: &mut NameInfo, place: &dyn Fn(Span) -> Span) {
    name.span = place(name.span);
    if let super::Target::Local(bound) = &mut name.target {
        *bound = place(*bound);
    }
}

impl Parts {
    /// The same results with each span of this module replaced by
    /// `place(span)`: for a frame checked with its items counted from their
    /// own starts ([`min_syntax::by_items`]), where they are in the file.
    pub fn placed(&self, place: &dyn Fn(Span) -> Span) -> Parts {
        let mut parts = self.clone();
        parts.interface = parts.interface.placed(place);
        for global in parts.globals.iter_mut().flatten() {
            global.map_spans(place);
        }
        for spec in &mut parts.specs {
            spec.span = place(spec.span);
            spec.global.map_spans(place);
        }
        parts.diagnostics.iter_mut().for_each(|diagnostic| diagnostic.map_spans(place));
        parts.names.iter_mut().chain(&mut parts.defined).for_each(|name| place_name(name, place));
        for test in &mut parts.tests {
            test.name_span = place(test.name_span);
            test.body_span = place(test.body_span);
            test.global.map_spans(place);
        }
        parts
    }

    /// The module's results, with the definitions checked apart in their
    /// places: what checking it in one pass gives.
    pub fn assemble(self, separate: Vec<Separate>) -> Checked {
        let Parts { mut interface, mut globals, specs, mut diagnostics, mut names, defined, tests } = self;
        for definition in separate {
            if let Some(slot) = globals.get_mut(definition.index) {
                *slot = Some(definition.global);
            }
            diagnostics.extend(definition.diagnostics);
            names.extend(definition.names);
        }
        let lowered: Vec<core::Global> = globals.iter().flatten().cloned().collect();
        let own = super::iteration::unbounded(&lowered, &interface.unbounded);
        interface.unbounded.extend(own.into_keys());
        names.extend(defined);
        names.sort_by_key(|name| (name.span.start, name.span.end));
        names.dedup_by(|a, b| a.span == b.span && a.target == b.target);
        put_in_order(&mut diagnostics);
        let types = interface
            .types
            .values()
            .map(|adt| (0..adt.constructors.len() as u32).map(|tag| adt.core_constructor(tag)).collect())
            .collect();
        let core = core::Module {
            name: interface.name.clone(),
            globals: globals.into_iter().flatten().collect(),
            types,
            specs,
        };
        Checked { interface, core, diagnostics, names, tests }
    }
}

impl Parts {
    /// The module's diagnostics, each span of the frame's replaced by
    /// `place(span)` (see [`Parts::placed`]), with those of the definitions
    /// checked apart, each moved by how far it starts: those of
    /// [`Parts::assemble`], without building the rest of the module's
    /// results.
    pub fn diagnostics_with<'a>(
        &self,
        place: &dyn Fn(Span) -> Span,
        separate: impl IntoIterator<Item = (&'a Separate, u32)>,
    ) -> Vec<Diagnostic> {
        let mut diagnostics = self.diagnostics.clone();
        diagnostics.iter_mut().for_each(|diagnostic| diagnostic.map_spans(place));
        for (definition, by) in separate {
            diagnostics.extend(definition.diagnostics.iter().map(|diagnostic| {
                let mut moved = diagnostic.clone();
                moved.shift(by);
                moved
            }));
        }
        put_in_order(&mut diagnostics);
        diagnostics
    }
}

/// Orders a module's diagnostics by place and drops repeated ones.
fn put_in_order(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    diagnostics.dedup();
}

/// The indices of the definitions of `module` that may be checked apart:
/// functions defined once, with a signature that names no type variable
/// and no specification clause, in a module without procedures.
pub fn separable_definitions(module: &ast::Module) -> Vec<usize> {
    if module.defs.iter().any(|def| def.procedure) {
        // A contract's security and failure checks follow calls through
        // every lowered definition of the module at once.
        return Vec::new();
    }
    let mut count: HashMap<&str, usize> = HashMap::default();
    for def in &module.defs {
        *count.entry(def.name.text.as_str()).or_default() += 1;
    }
    let function = |def: &ast::Def| {
        def.rules
            || def
                .clauses
                .first()
                .is_some_and(|c| !c.patterns.is_empty() || matches!(c.body.kind, ast::ExprKind::Lambda(..)))
    };
    (0..module.defs.len())
        .filter(|&i| {
            let def = &module.defs[i];
            count[def.name.text.as_str()] == 1
                && def.signature.as_ref().is_some_and(names_no_variable)
                && function(def)
                && def.specs.is_empty()
                && !def.procedure
        })
        .collect()
}

/// Whether a written type names no type variable.
fn names_no_variable(ty: &ast::TypeExpr) -> bool {
    match &ty.kind {
        ast::TypeExprKind::Var(_) => false,
        ast::TypeExprKind::Named(_, args) | ast::TypeExprKind::Tuple(args) => args.iter().all(names_no_variable),
        ast::TypeExprKind::Function(a, b) => names_no_variable(a) && names_no_variable(b),
        ast::TypeExprKind::List(item) => names_no_variable(item),
        ast::TypeExprKind::Error => true,
    }
}

/// `module` with the bodies of the definitions at `separate` left out:
/// each of their equations keeps its place and the name it starts with,
/// and takes one wildcard pattern so that it is still a function.
pub fn frame_module(module: &ast::Module, separate: &[usize]) -> ast::Module {
    let mut apart = separate.iter().copied().peekable();
    let defs = module
        .defs
        .iter()
        .enumerate()
        .map(|(index, def)| {
            if apart.next_if_eq(&index).is_none() {
                return def.clone();
            }
            // A stub's spans do not reach into the body, so that a longer
            // or shorter body leaves the frame equal.
            let start = |span: Span| Span { file: span.file, start: span.start, end: span.start };
            let stub = |clause: &ast::Clause| ast::Clause {
                patterns: vec![ast::Pat { kind: ast::PatKind::Wildcard, span: start(clause.span) }],
                body: ast::Expr { kind: ast::ExprKind::Tuple(Vec::new()), span: start(clause.span) },
                span: start(clause.span),
                name_span: clause.name_span,
            };
            ast::Def {
                name: def.name.clone(),
                signature: def.signature.clone(),
                param_names: def.param_names.clone(),
                clauses: def.clauses.iter().map(stub).collect(),
                rules: def.rules,
                procedure: def.procedure,
                doc: def.doc.clone(),
                specs: def.specs.clone(),
                span: Span { file: def.span.file, start: def.span.start, end: def.name.span.end.max(def.span.start) },
            }
        })
        .collect();
    ast::Module {
        file: module.file,
        imports: module.imports.clone(),
        types: module.types.clone(),
        defs,
        tests: module.tests.clone(),
    }
}

/// Checks the frame of a module (see [`frame_module`]): everything but the
/// bodies of the definitions named in `separate`. `None` when those bodies
/// cannot be checked apart; then check the whole module in one pass.
pub fn check_frame(
    name: &str,
    frame: &ast::Module,
    separate: &HashSet<String>,
    available: &BTreeMap<String, Arc<Interface>>,
    known: &[String],
    prelude: Option<&Arc<Interface>>,
) -> Option<(Parts, Environment)> {
    let mut checker = Checker::prepared(name, frame, available, known, prelude);
    if !checker.linear_types.is_empty() {
        // Known before any body is checked: do not check the frame for nothing.
        return None;
    }
    let globals = checker.check_defs(&frame.defs, separate)?;
    let environment = checker.environment();
    let mut specs = checker.check_specs(&frame.defs);
    specs.extend(checker.check_invariants(&frame.types, &frame.defs));
    let tests = checker.check_tests(&frame.tests);
    Some((checker.finish(globals, &frame.defs, specs, tests), environment))
}

/// Checks the definition at `index`, one that [`separable_definitions`]
/// chose, in the environment its module's frame gave.
pub fn check_separate(environment: &Environment, def: &ast::Def, index: usize) -> Option<Separate> {
    let mut checker = Checker::new(environment.clone());
    let scheme = checker.env.globals.get(&def.name.text)?.scheme.clone();
    checker.u.level += 1;
    let expected = checker.rigid_instance(&scheme, def.signature.as_ref()?);
    checker.recording_flows = checker.needs_flow(Some(&scheme));
    let mut global = checker.lower_global(def, &expected);
    checker.u.level -= 1;
    checker.apply_defaults();
    checker.check_equalities();
    checker.finalize_global(&mut global);
    let names = checker.resolved_names();
    Some(Separate { index, global, diagnostics: checker.diagnostics, names })
}

impl Checker {
    /// Whether the bodies of the definitions named in `separate` can be
    /// checked apart, once the unsigned definitions are inferred: the
    /// module knows no linear type, their signatures quantify nothing, and
    /// every definition's scheme is closed.
    pub(super) fn separable(&self, separate: &HashSet<String>) -> bool {
        if !self.linear_types.is_empty() {
            return false;
        }
        let closed = |ty: &crate::types::Type| {
            let mut free = Vec::new();
            self.u.free_vars(&self.u.resolve(ty), &mut free);
            free.is_empty()
        };
        // A type that did not lower (an unknown name in it) stands for a
        // variable of this module's inference.
        let types_closed = self
            .env
            .own_types
            .values()
            .flat_map(|adt| &adt.constructors)
            .flat_map(|constructor| &constructor.fields)
            .all(|(_, ty)| closed(ty));
        types_closed
            && self.env.globals.iter().all(|(name, entry)| {
                closed(&entry.scheme.ty) && (!separate.contains(name) || entry.scheme.classes.is_empty())
            })
    }

    /// What a definition checked apart sees of this module, without the
    /// places of its definitions and types, which checking a body does not
    /// read: an edit that only moves them leaves the environment equal.
    fn environment(&self) -> Environment {
        let globals = self
            .env
            .globals
            .iter()
            .map(|(name, entry)| {
                let scheme = crate::types::Scheme {
                    classes: entry.scheme.classes.clone(),
                    ty: self.u.resolve(&entry.scheme.ty),
                };
                let span = without_position(entry.span);
                (name.clone(), GlobalEntry { qualified: entry.qualified.clone(), scheme, span })
            })
            .collect::<HashMap<_, _>>();
        let own_types = self.env.own_types.iter().map(|(name, adt)| (name.clone(), adt.without_positions())).collect();
        let constructor_index = self
            .env
            .constructor_index
            .iter()
            .map(|(name, (adt, tag))| (name.clone(), (adt.without_positions(), *tag)))
            .collect();
        let record_index = self
            .env
            .record_index
            .iter()
            .map(|(field, adts)| (field.clone(), adts.iter().map(AdtDef::without_positions).collect()))
            .collect();
        Environment {
            globals: Arc::new(globals),
            own_types: Arc::new(own_types),
            constructor_index: Arc::new(constructor_index),
            record_index: Arc::new(record_index),
            ..self.env.clone()
        }
    }
}
