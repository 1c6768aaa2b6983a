//! Lowering from the core IR to the LIR.
//!
//! [`lower`] takes the modules of a program in dependency order and makes one
//! LIR function per global (an entry point), per lambda, and per piece of
//! run-time glue the program needs: the closures of globals, constructors
//! and primitives used as values, `apply_k` (calling an unknown function
//! value with `k` arguments, currying as the interpreter does) and
//! `pap_s_r` (the code of a partial application holding `s` arguments and
//! waiting for `r` more).
//!
//! Start at [`ProgramBuilder`]; one function body is a [`function::FnBuilder`],
//! whose expression cases are in `expr.rs`, patterns in `pattern.rs`,
//! numbers in `arith.rs`, primitives in `prim.rs` and calls in `call.rs`.

mod arith;
mod call;
mod expr;
mod function;
mod glue;
mod pattern;
mod prim;
mod scratch;

use rustc_hash::{FxHashMap, FxHashSet};

use min_core::{Constructor, Expr as CoreExpr, Global, Module, Prim};
use min_diagnostics::Span;

use crate::abi;
use crate::regions::Summaries;
use crate::{CellId, Export, FuncId, Function, Program, Static, StaticId, StaticWord};

/// Lowers the modules of a program, given in dependency order: every
/// global is lowered and exported.
pub fn lower(modules: &[Module]) -> Program {
    lower_globals(modules, modules.iter().flat_map(|module| &module.globals).collect())
}

/// Lowers the globals of the module called `module` and every global they
/// use, directly or not, from the modules of a program given in dependency
/// order; those are the exports. Globals nothing reaches are left out, so
/// compiling a program costs what it uses of the modules it imports.
pub fn lower_module(modules: &[Module], module: &str) -> Program {
    let roots = modules.iter().filter(|candidate| candidate.name == module).flat_map(|root| &root.globals);
    lower_globals(modules, reachable(modules, roots))
}

/// Lowers `globals`, which must include every global they use. The first
/// pass finds the functions that never use their scratch region; the
/// second calls them without opening one.
fn lower_globals<'m>(modules: &'m [Module], globals: Vec<&'m Global>) -> Program {
    let summaries = Summaries::of(modules);
    let first = lower_pass(modules, &globals, summaries.clone(), Vec::new());
    let scratch_free = scratch::scratch_free(&first);
    let program = lower_pass(modules, &globals, summaries, scratch_free.clone());
    debug_assert_eq!(
        scratch::scratch_free(&program),
        scratch_free,
        "calling without scratch regions changed who uses them"
    );
    program
}

/// Lowers `globals` once, calling the functions `scratch_free` marks
/// without opening a scratch region for them.
fn lower_pass<'m>(
    modules: &'m [Module],
    globals: &[&'m Global],
    summaries: Summaries,
    scratch_free: Vec<bool>,
) -> Program {
    let mut builder = ProgramBuilder::new(modules, globals, summaries, scratch_free);
    for &global in globals {
        builder.lower_global(global);
    }
    builder.finish()
}

/// The globals `roots` use, directly or through others, roots included, in
/// the order of `modules`.
fn reachable<'m>(modules: &'m [Module], roots: impl Iterator<Item = &'m Global>) -> Vec<&'m Global> {
    let by_name: FxHashMap<&str, &Global> =
        modules.iter().flat_map(|module| &module.globals).map(|global| (global.name.as_str(), global)).collect();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut stack: Vec<&Global> = roots.collect();
    seen.extend(stack.iter().map(|global| global.name.as_str()));
    while let Some(global) = stack.pop() {
        let mut exprs = vec![&global.body];
        while let Some(expr) = exprs.pop() {
            if let CoreExpr::Global(name) = expr
                && let Some(&used) = by_name.get(name.as_str())
                && seen.insert(used.name.as_str())
            {
                stack.push(used);
            }
            exprs.extend(expr.children());
        }
    }
    modules.iter().flat_map(|module| &module.globals).filter(|global| seen.contains(global.name.as_str())).collect()
}

/// What the lowering knows about a global.
#[derive(Clone, Copy)]
struct GlobalInfo<'m> {
    global: &'m Global,
    /// Its entry: the body for a function, the forcing glue for a value.
    function: FuncId,
    /// For a zero-argument global, the cell holding its value.
    cell: Option<CellId>,
    /// For a function, its index in `Program::names`.
    name: u64,
}

/// The program being built, and the tables shared by all its functions.
pub(crate) struct ProgramBuilder<'m> {
    pub(crate) program: Program,
    globals: FxHashMap<&'m str, GlobalInfo<'m>>,
    pub(crate) summaries: Summaries,
    /// Functions that never use their scratch region, by id (empty: none known).
    scratch_free: Vec<bool>,
    strings: FxHashMap<String, StaticId>,
    bigs: FxHashMap<(abi::Kind, u128), StaticId>,
    constructors: FxHashMap<Constructor, u32>,
    spans: FxHashMap<Span, u64>,
    names: FxHashMap<String, u64>,
    /// Static closures of globals used as values, by global name.
    global_closures: FxHashMap<&'m str, StaticId>,
    /// Static closures of constructors used as values, by constructor id.
    constructor_closures: FxHashMap<u32, StaticId>,
    /// Static closures of primitives used as values.
    prim_closures: FxHashMap<Prim, StaticId>,
    /// `apply_k` by `k`.
    apply_functions: FxHashMap<u32, FuncId>,
    /// `pap_s_r` by `(s, r)`.
    pap_functions: FxHashMap<(u32, u32), FuncId>,
    /// The largest number of parameters any Min function value can take.
    pub(crate) max_arity: u32,
    /// Lambdas lowered so far per global, for their names.
    lambda_counts: FxHashMap<String, u32>,
}

impl<'m> ProgramBuilder<'m> {
    fn new(
        modules: &'m [Module],
        globals: &[&'m Global],
        summaries: Summaries,
        scratch_free: Vec<bool>,
    ) -> ProgramBuilder<'m> {
        let mut builder = ProgramBuilder {
            program: Program::default(),
            globals: FxHashMap::default(),
            summaries,
            scratch_free,
            strings: FxHashMap::default(),
            bigs: FxHashMap::default(),
            constructors: FxHashMap::default(),
            spans: FxHashMap::default(),
            names: FxHashMap::default(),
            global_closures: FxHashMap::default(),
            constructor_closures: FxHashMap::default(),
            prim_closures: FxHashMap::default(),
            apply_functions: FxHashMap::default(),
            pap_functions: FxHashMap::default(),
            max_arity: 2,
            lambda_counts: FxHashMap::default(),
        };
        for global in globals {
            builder.max_arity = builder.max_arity.max(global.arity).max(max_arity_in(&global.body));
        }
        for constructor in modules.iter().flat_map(|module| &module.types).flatten() {
            builder.constructor(constructor);
        }
        for &global in globals {
            let function = builder.reserve(&global.name);
            let cell = (global.arity == 0).then(|| {
                builder.program.cells += 1;
                builder.program.cells - 1
            });
            let name = builder.name(&global.name);
            builder.globals.insert(&global.name, GlobalInfo { global, function, cell, name });
            builder.program.exports.push(Export { name: global.name.clone(), function, arity: global.arity });
        }
        builder
    }

    /// Lowers one global: its body, and for a value the glue that computes
    /// it once.
    fn lower_global(&mut self, global: &'m Global) {
        let info = self.globals[global.name.as_str()];
        match info.cell {
            None => {
                let body = function::FnBuilder::lower_body(self, &global.name, global, 2, global.arity);
                self.define(info.function, body);
            }
            Some(cell) => {
                let init = self.reserve(&format!("{}.init", global.name));
                let body = function::FnBuilder::lower_body(self, &global.name, global, 2, 0);
                self.define(init, body);
                let force = glue::force(self, &global.name, cell, init, info.name);
                self.define(info.function, force);
            }
        }
    }

    fn finish(self) -> Program {
        self.program
    }

    /// Whether a function never uses its scratch region, so that a call
    /// needs to open none for it.
    pub(crate) fn is_scratch_free(&self, function: FuncId) -> bool {
        self.scratch_free.get(function as usize).copied().unwrap_or(false)
    }

    /// A new function id, defined later with [`ProgramBuilder::define`].
    pub(crate) fn reserve(&mut self, name: &str) -> FuncId {
        self.program.functions.push(Function { name: name.to_string(), params: 0, vars: 0, body: Vec::new() });
        self.program.functions.len() as FuncId - 1
    }

    /// Gives a reserved function its definition (keeping its name).
    pub(crate) fn define(&mut self, id: FuncId, function: Function) {
        let slot = &mut self.program.functions[id as usize];
        let name = std::mem::take(&mut slot.name);
        *slot = Function { name, ..function };
    }

    /// A fresh name for the next lambda of `owner`.
    pub(crate) fn lambda_name(&mut self, owner: &str) -> String {
        let count = self.lambda_counts.entry(owner.to_string()).or_default();
        *count += 1;
        format!("{owner}.λ{count}")
    }

    /// The index of a span in `Program::spans`.
    pub(crate) fn span(&mut self, span: Span) -> u64 {
        if let Some(&index) = self.spans.get(&span) {
            return index;
        }
        self.program.spans.push(span);
        let index = self.program.spans.len() as u64 - 1;
        self.spans.insert(span, index);
        index
    }

    /// The index of a name in `Program::names`.
    pub(crate) fn name(&mut self, name: &str) -> u64 {
        if let Some(&index) = self.names.get(name) {
            return index;
        }
        self.program.names.push(name.to_string());
        let index = self.program.names.len() as u64 - 1;
        self.names.insert(name.to_string(), index);
        index
    }

    /// The id of a constructor in `Program::constructors`.
    pub(crate) fn constructor(&mut self, constructor: &Constructor) -> u32 {
        if let Some(&id) = self.constructors.get(constructor) {
            return id;
        }
        self.program.constructors.push(constructor.clone());
        let id = self.program.constructors.len() as u32 - 1;
        self.constructors.insert(constructor.clone(), id);
        id
    }

    /// A static object, added to the program.
    pub(crate) fn add_static(&mut self, object: Static) -> StaticId {
        self.program.statics.push(object);
        self.program.statics.len() as StaticId - 1
    }

    /// The static string object of a literal.
    pub(crate) fn string(&mut self, text: &str) -> StaticId {
        if let Some(&id) = self.strings.get(text) {
            return id;
        }
        let id = self.add_static(Static::string(text));
        self.strings.insert(text.to_string(), id);
        id
    }

    /// The static object of a big natural or integer.
    pub(crate) fn big(&mut self, kind: abi::Kind, bits: u128) -> StaticId {
        if let Some(&id) = self.bigs.get(&(kind, bits)) {
            return id;
        }
        let id = self.add_static(Static::big(kind, bits));
        self.bigs.insert((kind, bits), id);
        id
    }

    /// What the lowering knows about a global, if it exists.
    fn global(&self, name: &str) -> Option<GlobalInfo<'m>> {
        self.globals.get(name).copied()
    }

    /// The static closure of a global of positive arity used as a value.
    pub(crate) fn global_closure(&mut self, name: &str) -> Option<StaticId> {
        let info = self.global(name)?;
        if let Some(&id) = self.global_closures.get(name) {
            return Some(id);
        }
        let arity = info.global.arity;
        let code = glue::global_entry(self, info.function, arity);
        let id = self.add_static(closure_static(code, arity));
        self.global_closures.insert(&info.global.name, id);
        Some(id)
    }

    /// The static closure of a constructor with fields used as a value.
    pub(crate) fn constructor_closure(&mut self, constructor: &Constructor) -> StaticId {
        let id = self.constructor(constructor);
        if let Some(&closure) = self.constructor_closures.get(&id) {
            return closure;
        }
        let code = glue::constructor_entry(self, constructor, id);
        let closure = self.add_static(closure_static(code, constructor.arity));
        self.constructor_closures.insert(id, closure);
        closure
    }

    /// The static closure of a primitive with arguments used as a value.
    pub(crate) fn prim_closure(&mut self, prim: Prim) -> StaticId {
        if let Some(&closure) = self.prim_closures.get(&prim) {
            return closure;
        }
        let code = glue::prim_entry(self, prim);
        let closure = self.add_static(closure_static(code, prim.arity()));
        self.prim_closures.insert(prim, closure);
        closure
    }

    /// `apply_k`: calls a function value with `k` arguments.
    pub(crate) fn apply_function(&mut self, k: u32) -> FuncId {
        if let Some(&id) = self.apply_functions.get(&k) {
            return id;
        }
        let id = self.reserve(&format!("apply_{k}"));
        self.apply_functions.insert(k, id);
        let function = glue::apply(self, k);
        self.define(id, function);
        id
    }

    /// `pap_s_r`: the code of a partial application of a function of
    /// `s + r` parameters to `s` arguments.
    pub(crate) fn pap_function(&mut self, s: u32, r: u32) -> FuncId {
        if let Some(&id) = self.pap_functions.get(&(s, r)) {
            return id;
        }
        let id = self.reserve(&format!("pap_{s}_{r}"));
        self.pap_functions.insert((s, r), id);
        let function = glue::pap(s, r);
        self.define(id, function);
        id
    }
}

/// A static closure with no environment.
fn closure_static(code: FuncId, arity: u32) -> Static {
    Static { words: vec![StaticWord::Raw(abi::header(abi::Kind::Closure, arity, 0)), StaticWord::Code(code)] }
}

/// The largest number of parameters of a lambda, constructor or call in `expr`.
fn max_arity_in(expr: &CoreExpr) -> u32 {
    let mut max = 0;
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        max = max.max(match expr {
            CoreExpr::Lambda(lambda) => lambda.params,
            CoreExpr::LetRec(bindings, _) => bindings.iter().map(|(_, lambda)| lambda.params).max().unwrap_or(0),
            CoreExpr::Constructor(constructor) => constructor.arity,
            CoreExpr::Apply(_, args, _) => args.len() as u32,
            _ => 0,
        });
        stack.extend(expr.children());
    }
    max
}
