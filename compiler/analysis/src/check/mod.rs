//! The checker of one module: resolves names, infers types (Hindley–Milner
//! with let-polymorphism and numeric classes), checks patterns, and lowers
//! everything to the core IR in the same walk.

mod calls;
mod expr;
pub(crate) use expr::prim_type;
mod failures;
mod finalize;
mod group;
mod iteration;
mod linearity;
pub(crate) use linearity::holds_linear;
mod chain_given;
mod pattern;
mod procedures;
mod scope;
mod security;
mod separate;
pub use separate::{Environment, Parts, Separate, check_frame, check_separate, frame_module, separable_definitions};
mod specs;
mod tests;
pub use tests::TestInfo;
mod types;

use crate::deps::{components, def_free_names};
use crate::interface::{AdtDef, Interface, ValueInfo};
use crate::types::{Scheme, Type, TypePrinter};
use crate::unify::{Unifier, UnifyError};
use min_core as core;
use min_diagnostics::{Diagnostic, Span, codes};
use min_syntax::ast;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use scope::{Frame, Local};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What checking a module produces.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Checked {
    /// What importers see.
    pub interface: Interface,
    /// The module lowered to the core IR.
    pub core: core::Module,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
    /// Every name written in the module, with its type and what it refers
    /// to, ordered by position: what hover, go to definition and rename use.
    pub names: Vec<NameInfo>,
    /// The module's tests, lowered on their own: not part of `core` or the
    /// interface (`spec/testing.md`).
    pub tests: Vec<TestInfo>,
}

/// One occurrence of a name in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameInfo {
    /// Where it is written.
    pub span: Span,
    /// Its type there (show it with [`crate::types::TypePrinter`]).
    pub ty: Type,
    /// What it refers to.
    pub target: Target,
    /// Whether this occurrence defines the name (rather than uses it).
    pub definition: bool,
}

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A parameter or local binding, by the span where it is bound.
    Local(Span),
    /// A top-level definition, by qualified name (`Math.exp`).
    Global(String),
    /// A constructor: the qualified name of its type, and its index.
    Constructor(String, u32),
    /// A type defined in Min, by qualified name.
    Type(String),
    /// A primitive of the built-in `Prim` module.
    Prim(String),
}

/// A name occurrence whose type is still being inferred.
struct NameRecord {
    span: Span,
    ty: Type,
    target: Target,
    definition: bool,
}

/// A top-level definition of the module being checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GlobalEntry {
    qualified: String,
    scheme: Scheme,
    span: Span,
}

/// The state of checking one module.
pub(crate) struct Checker {
    /// What the module's definitions see: its name, imports, types and
    /// definitions.
    env: Environment,
    u: Unifier,
    diagnostics: Vec<Diagnostic>,
    scopes: Vec<Vec<Local>>,
    frames: Vec<Frame>,
    next_binding: u32,
    /// Types behind `Pending` placeholders in the core IR.
    pending: Vec<Type>,
    /// `==` and `≠` operands, whose type must not contain a function.
    equality_checks: Vec<(Type, Span)>,
    /// Name occurrences, for the editor.
    names: Vec<NameRecord>,
    /// The flows being recorded, innermost last (see [`linearity`]).
    flows: Vec<Vec<linearity::Flow>>,
    /// The recorded flow of each top-level definition.
    flow_bodies: Vec<linearity::FlowBody>,
    /// The type each top-level definition's body was checked at.
    global_instances: HashMap<String, Type>,
    /// The module's linear data types, known once its types are declared
    /// (see [`linearity`]).
    linear_types: std::collections::BTreeSet<Arc<str>>,
    /// Whether the definition being lowered records its flow.
    recording_flows: bool,
    /// Whether a test is being checked (tests may build references).
    in_test: bool,
    /// The qualified name of the top-level definition being lowered.
    lowering: String,
    /// Where each definition makes a `Signer` or `Time` of its own: an error in the
    /// definitions a procedure may run (see [`chain_given`], `E0809`).
    made_up: Vec<chain_given::MadeUp>,
    /// Names given to type variables in the core IR of the definition
    /// being finished.
    var_names: HashMap<u32, u32>,
}

/// Checks `module` named `name`. `available` holds the interfaces of the
/// modules it may import (those in `known` but not in `available` are
/// skipped silently: their problem, such as an import cycle, is reported
/// elsewhere); `prelude` is imported unqualified unless this is the prelude.
pub fn check_module(
    name: &str,
    module: &ast::Module,
    available: &BTreeMap<String, Arc<Interface>>,
    known: &[String],
    prelude: Option<&Arc<Interface>>,
) -> Checked {
    let mut checker = Checker::prepared(name, module, available, known, prelude);
    let globals = checker.check_defs(&module.defs, &Default::default()).unwrap_or_default();
    let mut specs = checker.check_specs(&module.defs);
    specs.extend(checker.check_invariants(&module.types, &module.defs));
    let tests = checker.check_tests(&module.tests);
    checker.finish(globals, &module.defs, specs, tests).assemble(Vec::new())
}

impl Checker {
    /// A checker of a module whose definitions see `env`.
    fn new(env: Environment) -> Checker {
        Checker {
            env,
            u: Unifier::default(),
            diagnostics: Vec::new(),
            scopes: Vec::new(),
            frames: Vec::new(),
            next_binding: 0,
            pending: Vec::new(),
            equality_checks: Vec::new(),
            names: Vec::new(),
            flows: Vec::new(),
            flow_bodies: Vec::new(),
            global_instances: HashMap::default(),
            linear_types: Default::default(),
            recording_flows: false,
            in_test: false,
            lowering: String::new(),
            made_up: Vec::new(),
            var_names: HashMap::default(),
        }
    }

    /// A checker of `module` with its imports resolved and its types declared.
    fn prepared(
        name: &str,
        module: &ast::Module,
        available: &BTreeMap<String, Arc<Interface>>,
        known: &[String],
        prelude: Option<&Arc<Interface>>,
    ) -> Checker {
        let mut checker = Checker::new(Environment::empty(name));
        if let Some(prelude) = prelude {
            checker.import_all(prelude);
            Arc::make_mut(&mut checker.env.modules).insert(prelude.name.clone(), prelude.clone());
        }
        checker.resolve_imports(&module.imports, available, known);
        checker.declare_types(&module.types);
        checker.index_types();
        checker.linear_types = checker.find_linear_types();
        checker
    }
}

impl Checker {
    fn import_all(&mut self, interface: &Arc<Interface>) {
        for (name, value) in &interface.values {
            Arc::make_mut(&mut self.env.imported_values).insert(name.clone(), value.clone());
        }
        for (name, adt) in &interface.types {
            Arc::make_mut(&mut self.env.imported_types).insert(name.clone(), adt.clone());
        }
    }

    fn resolve_imports(
        &mut self,
        imports: &[ast::Import],
        available: &BTreeMap<String, Arc<Interface>>,
        known: &[String],
    ) {
        for import in imports {
            if import.module.text == "Prim" {
                continue;
            }
            let Some(interface) = available.get(&import.module.text) else {
                if known.contains(&import.module.text) {
                    continue;
                }
                let candidates = known.iter().map(String::as_str).filter(|m| *m != self.env.module);
                let help = match expr::closest(&import.module.text, candidates) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!(
                        "a module is a file beside this one, or one of the standard modules: {}",
                        crate::stdlib::MODULES.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
                    ),
                };
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::E0103,
                        import.module.span,
                        format!("there is no module `{}`", import.module.text),
                    )
                    .with_help(help),
                );
                continue;
            };
            Arc::make_mut(&mut self.env.modules).insert(import.module.text.clone(), interface.clone());
            match &import.names {
                ast::ImportNames::Qualified => {}
                ast::ImportNames::All => self.import_all(interface),
                ast::ImportNames::Some(names) => {
                    for name in names {
                        if let Some(value) = interface.values.get(&name.text) {
                            Arc::make_mut(&mut self.env.imported_values).insert(name.text.clone(), value.clone());
                        } else if let Some(adt) = interface.types.get(&name.text) {
                            Arc::make_mut(&mut self.env.imported_types).insert(name.text.clone(), adt.clone());
                        } else {
                            self.diagnostics.push(Diagnostic::error(
                                codes::E0101,
                                name.span,
                                format!("module `{}` has no `{}`", import.module.text, name.text),
                            ));
                        }
                    }
                }
            }
        }
    }

    /// Infers and lowers the module's definitions: signed ones after the
    /// unsigned ones they may use, unsigned ones in dependency order. The
    /// bodies of the definitions named in `separate` are left to
    /// [`separate::check_separate`]; `None` when they cannot be checked
    /// apart from the module (see [`Checker::separable`]).
    fn check_defs(&mut self, defs: &[ast::Def], separate: &HashSet<String>) -> Option<Vec<Option<core::Global>>> {
        let mut lowered: Vec<Option<core::Global>> = vec![None; defs.len()];
        let mut index_of: HashMap<&str, usize> = HashMap::default();
        let mut signatures: Vec<Option<Scheme>> = vec![None; defs.len()];
        for (i, def) in defs.iter().enumerate() {
            if let Some(&first) = index_of.get(def.name.text.as_str()) {
                self.diagnostics.push(
                    Diagnostic::error(codes::E0104, def.name.span, format!("`{}` is defined twice", def.name.text))
                        .with_label(defs[first].name.span, "first defined here")
                        .with_help("rename one of them, or merge their equations into one place"),
                );
                continue;
            }
            index_of.insert(&def.name.text, i);
            let qualified = format!("{}.{}", self.env.module, def.name.text);
            let scheme = match &def.signature {
                Some(signature) => {
                    let scheme = self.signature_scheme(signature);
                    signatures[i] = Some(scheme.clone());
                    scheme
                }
                None => Scheme::mono(self.u.fresh()),
            };
            Arc::make_mut(&mut self.env.globals)
                .insert(def.name.text.clone(), GlobalEntry { qualified, scheme, span: def.name.span });
        }
        // Unsigned definitions, grouped by mutual recursion.
        let unsigned: Vec<usize> = (0..defs.len())
            .filter(|&i| signatures[i].is_none() && index_of.get(defs[i].name.text.as_str()) == Some(&i))
            .collect();
        let position: HashMap<&str, usize> =
            unsigned.iter().enumerate().map(|(k, &i)| (defs[i].name.text.as_str(), k)).collect();
        let edges: Vec<Vec<usize>> = unsigned
            .iter()
            .map(|&i| def_free_names(&defs[i]).iter().filter_map(|name| position.get(name.as_str()).copied()).collect())
            .collect();
        for component in components(&edges) {
            let members: Vec<usize> = component.iter().map(|&k| unsigned[k]).collect();
            self.u.level += 1;
            let types: Vec<Type> = members.iter().map(|_| self.u.fresh()).collect();
            for (&i, ty) in members.iter().zip(&types) {
                Arc::make_mut(&mut self.env.globals).get_mut(&defs[i].name.text).expect("declared above").scheme =
                    Scheme::mono(ty.clone());
            }
            self.recording_flows = self.needs_flow(None);
            for (&i, ty) in members.iter().zip(&types) {
                lowered[i] = Some(self.lower_global(&defs[i], ty));
            }
            self.u.level -= 1;
            for (&i, ty) in members.iter().zip(&types) {
                let is_function = defs[i].clauses.first().is_some_and(|clause| !clause.patterns.is_empty());
                let scheme = self.u.generalize(ty, is_function);
                Arc::make_mut(&mut self.env.globals).get_mut(&defs[i].name.text).expect("declared above").scheme =
                    scheme;
            }
        }
        self.report_cyclic_values(defs, &index_of);
        if !separate.is_empty() && !self.separable(separate) {
            return None;
        }
        for (i, def) in defs.iter().enumerate() {
            let Some(scheme) = &signatures[i] else { continue };
            if index_of.get(def.name.text.as_str()) != Some(&i) || separate.contains(&def.name.text) {
                continue;
            }
            self.u.level += 1;
            let expected = self.rigid_instance(scheme, def.signature.as_ref().expect("signed"));
            self.recording_flows = self.needs_flow(Some(scheme));
            lowered[i] = Some(self.lower_global(def, &expected));
            self.u.level -= 1;
        }
        Some(lowered)
    }

    /// Top-level values (definitions without parameters) are computed once,
    /// on first use: one that needs itself to be computed has no value.
    fn report_cyclic_values(&mut self, defs: &[ast::Def], index_of: &HashMap<&str, usize>) {
        let is_value = |def: &ast::Def| {
            !def.rules
                && def
                    .clauses
                    .first()
                    .is_some_and(|c| c.patterns.is_empty() && !matches!(c.body.kind, ast::ExprKind::Lambda(..)))
        };
        let values: Vec<usize> = (0..defs.len())
            .filter(|&i| is_value(&defs[i]) && index_of.get(defs[i].name.text.as_str()) == Some(&i))
            .collect();
        let position: HashMap<&str, usize> =
            values.iter().enumerate().map(|(k, &i)| (defs[i].name.text.as_str(), k)).collect();
        let edges: Vec<Vec<usize>> = values
            .iter()
            .map(|&i| def_free_names(&defs[i]).iter().filter_map(|name| position.get(name.as_str()).copied()).collect())
            .collect();
        for component in components(&edges) {
            let cyclic = component.len() > 1 || edges[component[0]].contains(&component[0]);
            if !cyclic {
                continue;
            }
            let names: Vec<String> = component.iter().map(|&k| format!("`{}`", defs[values[k]].name.text)).collect();
            let first = &defs[values[component[0]]];
            let message = if names.len() == 1 {
                format!("{} needs its own value to be computed", names[0])
            } else {
                format!("{} need each other's values to be computed", names.join(", "))
            };
            self.error(
                Diagnostic::error(codes::E0207, first.name.span, message)
                    .with_help("a value cannot be defined in terms of itself; make it a function, or break the cycle"),
            );
        }
    }

    /// Lowers one top-level definition in a frame of its own.
    fn lower_global(&mut self, def: &ast::Def, expected: &Type) -> core::Global {
        self.lowering = format!("{}.{}", self.env.module, def.name.text);
        self.frames.push(Frame::default());
        self.push_scope();
        self.flow_open();
        let (arity, body) = self.lower_function_body(def, expected);
        let flow = self.flow_close();
        self.flow_bodies.push(linearity::FlowBody {
            name: def.name.text.clone(),
            span: def.name.span,
            arity,
            instance: expected.clone(),
            flow,
        });
        self.pop_scope();
        let frame = self.frames.pop().expect("pushed above");
        debug_assert!(frame.captures.is_empty(), "a global captures nothing");
        self.global_instances.insert(def.name.text.clone(), expected.clone());
        core::Global {
            name: format!("{}.{}", self.env.module, def.name.text),
            arity,
            frame_size: frame.size,
            body,
            span: def.span,
            ty: core::Ty::Unknown,
            slots: self.pending_slots(&frame),
        }
    }

    /// Builds the module's interface and settles its core IR once every
    /// definition it checks is lowered.
    fn finish(
        mut self,
        mut globals: Vec<Option<core::Global>>,
        defs: &[ast::Def],
        mut specs: Vec<core::Spec>,
        tests: Vec<tests::PendingTest>,
    ) -> Parts {
        self.apply_defaults();
        self.check_equalities();
        let linearity = self.check_linearity();
        for global in globals.iter_mut().flatten() {
            self.finalize_global(global);
        }
        for spec in &mut specs {
            self.finalize_global(&mut spec.global);
        }
        let foreign = self.foreign_definitions();
        let is_contract = defs.iter().any(|def| def.procedure);
        // The settled core IR of the module's bodies, for the analyses of
        // contracts and of calls between them.
        let lowered: Vec<core::Global> =
            if is_contract || !foreign.is_empty() { globals.iter().flatten().cloned().collect() } else { Vec::new() };
        let calls = if foreign.is_empty() { Default::default() } else { calls::contract_calls(&lowered, &foreign) };
        let procedures = self.procedures(defs, &calls);
        let imported_unbounded: std::collections::BTreeSet<String> =
            self.env.modules.values().flat_map(|interface| interface.unbounded.iter().cloned()).collect();
        if !procedures.is_empty() {
            // A module with procedures is checked in one pass: every body is here.
            let flows = self.check_security(&lowered, &procedures);
            self.diagnostics.extend(flows);
            self.report_made_up(&lowered, &procedures);
            let unbounded = iteration::unbounded(&lowered, &imported_unbounded);
            let names: Vec<String> = procedures.iter().map(|procedure| procedure.name.clone()).collect();
            self.diagnostics.extend(iteration::check(&lowered, &names, &unbounded));
        }
        let tests = self.finish_tests(tests);
        let mut values = BTreeMap::new();
        for def in defs {
            if let Some(entry) = self.env.globals.get(&def.name.text) {
                let scheme = self.close_scheme(&entry.scheme);
                let linear_safe = linearity.linear_safe.get(&def.name.text).cloned().unwrap_or_default();
                values.insert(
                    def.name.text.clone(),
                    ValueInfo {
                        qualified: entry.qualified.clone(),
                        scheme,
                        span: entry.span,
                        doc: def.doc.clone(),
                        linear_safe,
                    },
                );
            }
        }
        let names = self.resolved_names();
        for def in defs {
            if let Some(entry) = self.env.globals.get(&def.name.text) {
                let spans = std::iter::once(def.name.span).chain(def.clauses.iter().filter_map(|c| c.name_span));
                for span in spans {
                    let (ty, target) = (entry.scheme.ty.clone(), Target::Global(entry.qualified.clone()));
                    self.names.push(NameRecord { span, ty, target, definition: true });
                }
            }
        }
        let defined = self.resolved_names();
        let interface = Interface {
            name: self.env.module.clone(),
            values,
            types: (*self.env.own_types).clone(),
            procedures,
            linear_types: linearity.linear_types,
            // The module's own are added by `Parts::assemble`, once every body is lowered.
            unbounded: imported_unbounded,
        };
        Parts { interface, globals, specs, diagnostics: self.diagnostics, names, defined, tests }
    }

    /// The name occurrences recorded since the last call, with their types
    /// as inferred.
    fn resolved_names(&mut self) -> Vec<NameInfo> {
        std::mem::take(&mut self.names)
            .into_iter()
            .map(|record| NameInfo {
                span: record.span,
                ty: self.u.resolve(&record.ty),
                target: record.target,
                definition: record.definition,
            })
            .collect()
    }

    /// Checks the information flow of the module's procedures ([`security`])
    /// and that the module ignores no failure ([`failures`]).
    fn check_security(&self, globals: &[core::Global], procedures: &[crate::interface::Procedure]) -> Vec<Diagnostic> {
        let mut types: HashMap<Arc<str>, Arc<AdtDef>> = HashMap::default();
        let imported = self.env.modules.values().flat_map(|interface| interface.types.values());
        for adt in imported.chain(self.env.imported_types.values()).chain(self.env.own_types.values()) {
            types.insert(adt.qualified.clone(), adt.clone());
        }
        let objects = self
            .env
            .own_types
            .values()
            .filter(|adt| adt.kind == ast::TypeKind::Object)
            .map(|adt| adt.qualified.clone())
            .collect();
        let assets = self
            .linear_types
            .iter()
            .filter(|name| types.get(*name).is_some_and(|adt| adt.kind != ast::TypeKind::Object))
            .cloned()
            .collect();
        let mut imported_results = HashMap::default();
        let mut imported_tuples = HashMap::default();
        let values = self.env.modules.values().flat_map(|interface| interface.values.values());
        for value in values.chain(self.env.imported_values.values()) {
            let (params, result) = value.scheme.ty.parameters_and_result();
            let data = |ty: &Type| match ty {
                Type::App(crate::types::Con::Adt(name), _) => Some(name.clone()),
                _ => None,
            };
            if let Type::App(crate::types::Con::Tuple(_), items) = result {
                let results: Vec<usize> = (0..items.len())
                    .filter(|&index| data(&items[index]).is_some_and(|name| &*name == failures::RESULT))
                    .collect();
                if !results.is_empty() {
                    imported_tuples.insert(value.qualified.clone(), (params.len(), results));
                }
            }
            imported_results.insert(value.qualified.clone(), (params.len(), data(result)));
        }
        let env = security::Env {
            globals: globals.iter().map(|global| (global.name.as_str(), global)).collect(),
            types,
            objects,
            assets,
            imported_results,
            signer: crate::interface::SIGNER,
            time: crate::interface::TIME,
        };
        let calls = failures::Calls {
            globals: &env.globals,
            imported: &env.imported_results,
            imported_tuples: &imported_tuples,
        };
        let mut found = failures::check(&calls);
        let names: Vec<String> = procedures.iter().map(|procedure| procedure.name.clone()).collect();
        found.extend(security::check(&env, &names));
        found
    }

    /// Reports a failed unification as a type mismatch at `span`; returns
    /// whether the types unified.
    pub(crate) fn unify_at(&mut self, actual: &Type, expected: &Type, span: Span, context: &str) -> bool {
        match self.u.unify(actual, expected) {
            Ok(()) => true,
            Err(error) => {
                let diagnostic = self.mismatch(error, actual, expected, span, context);
                self.diagnostics.push(diagnostic);
                false
            }
        }
    }

    fn mismatch(&self, error: UnifyError, actual: &Type, expected: &Type, span: Span, context: &str) -> Diagnostic {
        let mut printer = TypePrinter::default();
        let actual_text = printer.show(&self.u.resolve(actual));
        let expected_text = printer.show(&self.u.resolve(expected));
        match error {
            UnifyError::Occurs => Diagnostic::error(
                codes::E0202,
                span,
                format!("{context}: `{actual_text}` would have to contain itself as `{expected_text}`"),
            )
            .with_help("a function applied to itself, or a list that contains itself, has no finite type"),
            UnifyError::Class(_, _) if self.is_class_var(actual) && self.is_class_var(expected) => {
                let (found, wanted) = (self.class_of_type(actual), self.class_of_type(expected));
                Diagnostic::error(
                    codes::E0204,
                    span,
                    format!("{context}: expected {}, found {}", wanted.describe(), found.describe()),
                )
                .with_span_label(format!("this is {}", found.describe()))
            }
            UnifyError::Class(_, _) if self.is_class_var(actual) && !self.is_class_var(expected) => {
                let class = self.class_of_type(actual);
                Diagnostic::error(
                    codes::E0201,
                    span,
                    format!("{context}: expected `{expected_text}`, found {}", class.describe()),
                )
                .with_span_label(format!("this is {}", class.describe()))
            }
            UnifyError::Class(class, ty) => {
                let found = printer.show(&self.u.resolve(&ty));
                Diagnostic::error(
                    codes::E0204,
                    span,
                    format!("{context}: expected {}, found `{found}`", class.describe()),
                )
                .with_span_label(format!("this is `{found}`"))
                .with_help(if class == crate::types::Class::APPEND {
                    "`++` joins two strings or two lists; to add numbers, use `+`"
                } else {
                    "arithmetic works on ℕ, ℤ and ℝ; ordering also on Char and S"
                })
            }
            UnifyError::Mismatch => Diagnostic::error(
                codes::E0201,
                span,
                format!("{context}: expected `{expected_text}`, found `{actual_text}`"),
            )
            .with_span_label(format!("this is `{actual_text}`")),
        }
    }

    fn is_class_var(&self, ty: &Type) -> bool {
        matches!(self.u.shallow(ty), Type::Var(v) if self.u.class_of(v) != crate::types::Class::ANY)
    }

    fn class_of_type(&self, ty: &Type) -> crate::types::Class {
        match self.u.shallow(ty) {
            Type::Var(v) => self.u.class_of(v),
            _ => crate::types::Class::ANY,
        }
    }

    /// Remembers a name occurrence for the editor.
    pub(crate) fn record_name(&mut self, span: Span, ty: Type, target: Target, definition: bool) {
        self.names.push(NameRecord { span, ty, target, definition });
    }

    /// Reports a problem.
    pub(crate) fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records a type behind a `Pending` placeholder; returns its index.
    pub(crate) fn pend(&mut self, ty: &Type) -> u32 {
        self.pending.push(ty.clone());
        self.pending.len() as u32 - 1
    }
}
