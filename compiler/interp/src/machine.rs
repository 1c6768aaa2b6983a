//! The machine: the program's globals, the cache of global values, function
//! calls and the limit on their nesting.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use min_core::{Expr, Global, Module, Spec};
use min_diagnostics::codes;

use crate::error::{Fault, RuntimeError};
use crate::prims;
use crate::value::{Callable, Capture, Closure, Function, RecursiveGroup, Value};

/// How many calls may be nested unless [`Machine::with_depth_limit`] says otherwise.
const DEPTH_LIMIT_DEFAULT: usize = 50_000;

/// The interpreter for a lowered program: calls its globals by name.
///
/// A machine is single-threaded and keeps the values of zero-arity globals
/// once computed, so calling it again is cheaper and gives the same values.
///
/// Each nested Min call costs about 1 KiB of Rust stack in an optimized
/// build and under 5 KiB in an unoptimized one: run a machine with the
/// default limit of 50 000 calls on a thread with a 512 MiB stack (reserved,
/// not committed, until used).
pub struct Machine<'p> {
    /// Every global of every module, by qualified name (the first wins).
    globals: HashMap<&'p str, &'p Global>,
    /// Values of zero-arity globals, computed on first use.
    values: RefCell<HashMap<&'p str, Cached<'p>>>,
    /// Calls currently nested.
    depth: Cell<usize>,
    /// The most calls that may be nested.
    depth_limit: usize,
    /// Told of every call as it starts (see [`Machine::with_observer`]).
    observer: Option<Box<CallObserver<'p>>>,
    /// The specification clauses of each function that has some.
    specs: HashMap<&'p str, Vec<&'p Spec>>,
    /// Whether calls check their functions' clauses (see
    /// [`Machine::with_spec_checks`]).
    check_specs: bool,
    /// The measures of the calls of functions with a `decreases` clause
    /// that are running, innermost last.
    pub(crate) measures: RefCell<Vec<(&'p str, u128)>>,
    /// The recursion group of every global, when some function has a
    /// `decreases` clause: a measure is compared with the innermost running
    /// call of its group (`min_core::graph::recursion_groups`).
    groups: HashMap<&'p str, usize>,
    /// The functions whose calls must keep an asset's total, and the check
    /// of a call (see [`Machine::with_conservation_check`]).
    conservation: Option<(HashSet<String>, Box<ConservationCheck<'p>>)>,
}

/// What [`Machine::with_conservation_check`] asks of a call of one of its
/// functions: given the function, its arguments and its result, how the
/// call changed an asset's total, if it did.
pub type ConservationCheck<'p> = dyn Fn(&'p Global, &[Value<'p>], &Value<'p>) -> Option<String> + 'p;

/// What [`Machine::with_observer`] is told of each call as it starts.
pub type CallObserver<'p> = dyn Fn(CallEvent<'_, 'p>) + 'p;

/// One call starting.
#[derive(Clone, Copy, Debug)]
pub struct CallEvent<'a, 'p> {
    /// The global called, or `None` for a closure.
    pub callee: Option<&'a str>,
    /// Its arguments.
    pub args: &'a [Value<'p>],
    /// How many calls are nested while it runs, itself included (1 for
    /// the call made from outside).
    pub depth: usize,
    /// Whether it is a call in tail position, which replaces its caller
    /// and so runs at the caller's depth.
    pub tail: bool,
}

/// The state of a zero-arity global's value.
enum Cached<'p> {
    /// Being computed: meeting it again is a cycle.
    Evaluating,
    /// Computed.
    Ready(Value<'p>),
}

/// The slots of one function body's frame.
pub(crate) struct Frame<'p> {
    /// Parameters in the first slots; captures and locals where the IR puts them.
    pub(crate) slots: Vec<Value<'p>>,
    /// The global whose code runs here, for closures' traces.
    pub(crate) owner: &'p str,
}

impl<'p> Frame<'p> {
    /// A frame of `size` slots (at least as many as `initial`), starting with `initial`, the rest unit.
    pub(crate) fn new(mut initial: Vec<Value<'p>>, size: u32, owner: &'p str) -> Frame<'p> {
        let size = size as usize;
        if initial.len() < size {
            initial.resize(size, Value::Unit);
        }
        Frame { slots: initial, owner }
    }

    /// The value in `slot`.
    pub(crate) fn get(&self, slot: u32) -> Result<Value<'p>, Fault> {
        match self.slots.get(slot as usize) {
            Some(value) => Ok(value.clone()),
            None => Err(RuntimeError::ill_formed(format_args!("slot {slot} outside a frame of {}", self.slots.len()))),
        }
    }

    /// Stores `value` in `slot`.
    pub(crate) fn set(&mut self, slot: u32, value: Value<'p>) -> Result<(), Fault> {
        let size = self.slots.len();
        match self.slots.get_mut(slot as usize) {
            Some(target) => {
                *target = value;
                Ok(())
            }
            None => Err(RuntimeError::ill_formed(format_args!("slot {slot} outside a frame of {size}"))),
        }
    }
}

/// Counts one nested call for as long as it lives.
struct Nesting<'m> {
    depth: &'m Cell<usize>,
}

impl Drop for Nesting<'_> {
    fn drop(&mut self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }
}

impl<'p> Machine<'p> {
    /// A machine for the program made of `modules`.
    pub fn new(modules: &'p [Module]) -> Machine<'p> {
        let mut globals = HashMap::new();
        for global in modules.iter().flat_map(|module| &module.globals) {
            globals.entry(global.name.as_str()).or_insert(global);
        }
        let mut specs: HashMap<&'p str, Vec<&'p Spec>> = HashMap::new();
        for spec in modules.iter().flat_map(|module| &module.specs) {
            specs.entry(spec.function.as_str()).or_default().push(spec);
        }
        Machine {
            globals,
            values: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
            depth_limit: DEPTH_LIMIT_DEFAULT,
            observer: None,
            specs,
            check_specs: false,
            measures: RefCell::new(Vec::new()),
            groups: if modules.iter().flat_map(|m| &m.specs).any(|spec| spec.kind == min_core::SpecKind::Decreases) {
                min_core::graph::recursion_groups(modules)
            } else {
                HashMap::new()
            },
            conservation: None,
        }
    }

    /// The same machine, telling `observer` of every call it starts, in
    /// order: what a test runner uses to record the calls a test makes.
    pub fn with_observer(self, observer: Box<CallObserver<'p>>) -> Self {
        Machine { observer: Some(observer), ..self }
    }

    /// Tells the observer, if any, of a call starting now.
    #[inline]
    pub(crate) fn observe(&self, callee: Option<&str>, args: &[Value<'p>], tail: bool) {
        if let Some(observer) = &self.observer {
            observer(CallEvent { callee, args, depth: self.depth.get(), tail });
        }
    }

    /// The same machine, checking the specification clauses of every
    /// function it calls (what `minc test` does): a `requires` that does not
    /// hold of a call's arguments is `E0416` (the caller's fault), an
    /// `ensures` that does not hold of its result `E0417` (the function's),
    /// and a recursive call whose `decreases` measure is not below the
    /// measure of the innermost running call of its recursion group (itself,
    /// or a function it calls back through) `E0418`.
    pub fn with_spec_checks(self) -> Self {
        Machine { check_specs: true, ..self }
    }

    /// The same machine, checking every call of `functions` with `check`
    /// after the function returns (what `minc test` does for the functions
    /// that must keep an asset's total): a message from it is `E0419`, at
    /// the call.
    pub fn with_conservation_check(self, functions: HashSet<String>, check: Box<ConservationCheck<'p>>) -> Self {
        Machine { conservation: Some((functions, check)), ..self }
    }

    /// Whether `a` and `b` may call each other: the same global, or two of
    /// one recursion group.
    pub(crate) fn same_group(&self, a: &str, b: &str) -> bool {
        a == b || matches!((self.groups.get(a), self.groups.get(b)), (Some(x), Some(y)) if x == y)
    }

    /// The clauses a call of `name` must check, if it must check any.
    #[inline]
    pub(crate) fn checked_specs(&self, name: &str) -> Option<&Vec<&'p Spec>> {
        if self.check_specs { self.specs.get(name) } else { None }
    }

    /// The conservation check of a call of `name`, if it has one.
    #[inline]
    pub(crate) fn conservation_check(&self, name: &str) -> Option<&ConservationCheck<'p>> {
        match &self.conservation {
            Some((functions, check)) if functions.contains(name) => Some(&**check),
            _ => None,
        }
    }

    /// Whether a call of `name` checks something after it returns (and so
    /// is never a tail call).
    #[inline]
    pub(crate) fn checks_calls_of(&self, name: &str) -> bool {
        self.checked_specs(name).is_some() || self.conservation_check(name).is_some()
    }

    /// The same machine, allowing at most `calls` nested calls (default 50 000).
    pub fn with_depth_limit(self, calls: usize) -> Self {
        Machine { depth_limit: calls, ..self }
    }

    /// Calls the global `qualified_name` (such as `"Main.black_scholes"`)
    /// with `args`, curried: fewer arguments than its arity give a function,
    /// more apply its result to the rest. A global of arity 0 is a value,
    /// computed once; it takes arguments only if it is a function.
    pub fn call(&self, qualified_name: &str, args: Vec<Value<'p>>) -> Result<Value<'p>, RuntimeError> {
        self.call_global(qualified_name, args).map_err(|fault| *fault)
    }

    /// Applies a function value (such as one a call returned) to `args`, curried.
    pub fn apply(&self, function: Value<'p>, args: Vec<Value<'p>>) -> Result<Value<'p>, RuntimeError> {
        self.apply_value(function, args).map_err(|fault| *fault)
    }

    fn call_global(&self, qualified_name: &str, args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        let global = self.global(qualified_name)?;
        if global.arity > 0 {
            return self.apply_global(global, args);
        }
        let value = self.global_value(global)?;
        match value {
            _ if args.is_empty() => Ok(value),
            Value::Function(_) => self.apply_value(value, args),
            _ => Err(RuntimeError::new(
                codes::E0403,
                format!("{qualified_name} is a value, not a function, but was given {} arguments", args.len()),
            )),
        }
    }

    /// The global called `name`.
    pub(crate) fn global(&self, name: &str) -> Result<&'p Global, Fault> {
        match self.globals.get(name) {
            Some(global) => Ok(global),
            None => Err(RuntimeError::new(codes::E0402, format!("there is no global named {name}"))),
        }
    }

    /// What the expression `Global(name)` evaluates to: the value of a
    /// zero-arity global, or the global as a function.
    pub(crate) fn global_reference(&self, name: &str) -> Result<Value<'p>, Fault> {
        let global = self.global(name)?;
        if global.arity == 0 {
            self.global_value(global)
        } else {
            Ok(Value::Function(Function::new(Callable::Global(global))))
        }
    }

    /// The value of a zero-arity global, computed on first use.
    fn global_value(&self, global: &'p Global) -> Result<Value<'p>, Fault> {
        let name = global.name.as_str();
        match self.values.borrow().get(name) {
            Some(Cached::Ready(value)) => return Ok(value.clone()),
            // The checker rejects cyclic values (E0207); this keeps an
            // unchecked program from recursing until the depth limit.
            Some(Cached::Evaluating) => return Err(cycle(name)),
            None => {}
        }
        let nesting = self.enter()?;
        self.observe(Some(name), &[], false);
        self.values.borrow_mut().insert(name, Cached::Evaluating);
        let mut frame = Frame::new(Vec::new(), global.frame_size, name);
        let result = self.eval(&global.body, &mut frame);
        drop(nesting);
        let mut values = self.values.borrow_mut();
        match result {
            Ok(value) => {
                values.insert(name, Cached::Ready(value.clone()));
                Ok(value)
            }
            Err(fault) => {
                values.remove(name);
                Err(fault.called_from(name))
            }
        }
    }

    /// Counts a nested call, or fails with `E0413` past the limit.
    fn enter(&self) -> Result<Nesting<'_>, Fault> {
        let depth = self.depth.get();
        if depth >= self.depth_limit {
            return Err(depth_exceeded(self.depth_limit));
        }
        self.depth.set(depth + 1);
        Ok(Nesting { depth: &self.depth })
    }

    /// Applies a global of positive arity to `args`, curried.
    pub(crate) fn apply_global(&self, global: &'p Global, mut args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        let arity = global.arity as usize;
        if args.len() < arity {
            return Ok(partial(Function::new(Callable::Global(global)), args));
        }
        let rest = args.split_off(arity);
        let result = self.run_global(global, args)?;
        if rest.is_empty() { Ok(result) } else { self.apply_value(result, rest) }
    }

    /// Applies a function value to `args`, curried: missing arguments make
    /// a partial application, extra ones apply the result.
    pub(crate) fn apply_value(&self, function: Value<'p>, mut args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        let mut function = function;
        loop {
            let Value::Function(callee) = function else {
                if args.is_empty() {
                    return Ok(function);
                }
                return Err(RuntimeError::ill_formed(format_args!("{} applied to arguments", function.kind())));
            };
            let arity = callee.arity();
            if args.len() < arity {
                return Ok(partial(callee, args));
            }
            let rest = args.split_off(arity);
            let result = self.invoke(&callee, args)?;
            if rest.is_empty() {
                return Ok(result);
            }
            (function, args) = (result, rest);
        }
    }

    /// Runs `function` on exactly as many arguments as its arity.
    pub(crate) fn invoke(&self, function: &Function<'p>, args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        match &function.callable {
            Callable::Global(global) => self.run_global(global, args),
            Callable::Prim(prim) => prims::call(*prim, &args),
            Callable::Constructor(constructor) => Ok(Value::data(constructor, args)),
            Callable::Closure(closure) => self.run_closure(closure, args),
            Callable::Recursive(group, index) => self.run_member(group, *index, args),
            Callable::Partial(inner, given) => {
                let mut all = given.clone();
                all.extend(args);
                self.invoke(inner, all)
            }
            Callable::Opaque(_) => Err(RuntimeError::ill_formed("compiled code applied by the interpreter")),
        }
    }

    /// Runs a global's body on its arguments, checking its clauses when
    /// the machine checks them.
    pub(crate) fn run_global(&self, global: &'p Global, args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        if self.checks_calls_of(&global.name) {
            let specs = self.checked_specs(&global.name).map_or(&[][..], |specs| &specs[..]);
            return crate::specs::run_specified(self, global, specs, args);
        }
        self.run_body(global, args)
    }

    /// Runs a global's body on its arguments, without checking clauses.
    pub(crate) fn run_body(&self, global: &'p Global, args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        let _nesting = self.enter()?;
        self.observe(Some(&global.name), &args, false);
        let mut frame = Frame::new(args, global.frame_size, &global.name);
        self.eval_body(&global.body, &mut frame).map_err(|fault| fault.called_from(&global.name))
    }

    /// Runs a closure's body on its arguments and captures.
    fn run_closure(&self, closure: &Closure<'p>, args: Vec<Value<'p>>) -> Result<Value<'p>, Fault> {
        let _nesting = self.enter()?;
        self.observe(None, &args, false);
        let mut frame = closure_frame(closure, args)?;
        let owner = closure.owner;
        self.eval_body(&closure.lambda.body, &mut frame).map_err(|fault| fault.called_from(format_args!("{owner}.λ")))
    }

    /// Runs member `index` of a recursive group on its arguments and captures.
    fn run_member(
        &self,
        group: &Rc<RecursiveGroup<'p>>,
        index: usize,
        args: Vec<Value<'p>>,
    ) -> Result<Value<'p>, Fault> {
        let _nesting = self.enter()?;
        self.observe(None, &args, false);
        let (body, mut frame) = member_frame(group, index, args)?;
        let owner = group.owner;
        self.eval_body(body, &mut frame).map_err(|fault| fault.called_from(format_args!("{owner}.λ")))
    }
}

/// `E0207`: the value of the zero-arity global `name` was needed while it
/// was being computed.
pub(crate) fn cycle(name: &str) -> Fault {
    RuntimeError::new(codes::E0207, format!("the value of {name} depends on itself"))
}

/// `E0413`: a call would nest deeper than `limit` calls.
pub(crate) fn depth_exceeded(limit: usize) -> Fault {
    RuntimeError::new(codes::E0413, format!("recursion deeper than {limit} calls"))
}

// Building a closure's frame is kept out of line: the functions above sit
// on the Rust stack once per nested Min call and should stay small.

/// The frame of a closure called with `args`: parameters, then captures in
/// the slots the lambda names.
#[inline(never)]
pub(crate) fn closure_frame<'p>(closure: &Closure<'p>, args: Vec<Value<'p>>) -> Result<Frame<'p>, Fault> {
    let mut frame = Frame::new(args, closure.lambda.frame_size, closure.owner);
    for ((_, inner), value) in closure.lambda.captures.iter().zip(&closure.captures) {
        frame.set(*inner, value.clone())?;
    }
    Ok(frame)
}

/// The body and frame of member `index` of a recursive group called with
/// `args`; captured members are rebuilt as function values.
#[inline(never)]
pub(crate) fn member_frame<'p>(
    group: &Rc<RecursiveGroup<'p>>,
    index: usize,
    args: Vec<Value<'p>>,
) -> Result<(&'p Expr, Frame<'p>), Fault> {
    let (Some((_, lambda)), Some(captures)) = (group.members.get(index), group.captures.get(index)) else {
        return Err(RuntimeError::ill_formed("a recursive closure outside its group"));
    };
    let mut frame = Frame::new(args, lambda.frame_size, group.owner);
    for ((_, inner), capture) in lambda.captures.iter().zip(captures) {
        let value = match capture {
            Capture::Value(value) => value.clone(),
            Capture::Member(member) => Value::Function(Function::new(Callable::Recursive(Rc::clone(group), *member))),
        };
        frame.set(*inner, value)?;
    }
    Ok((&lambda.body, frame))
}

/// `function` waiting for more arguments than `args`.
fn partial<'p>(function: Rc<Function<'p>>, mut args: Vec<Value<'p>>) -> Value<'p> {
    if args.is_empty() {
        return Value::Function(function);
    }
    // Keep partial applications flat: never a partial of a partial.
    if let Callable::Partial(inner, given) = &function.callable {
        let mut all = given.clone();
        all.append(&mut args);
        return Value::Function(Function::new(Callable::Partial(Rc::clone(inner), all)));
    }
    Value::Function(Function::new(Callable::Partial(function, args)))
}
