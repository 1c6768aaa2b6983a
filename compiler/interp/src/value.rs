//! Run-time values: what expressions evaluate to and functions receive.
//!
//! Values are immutable and shared: cloning one copies at most a pointer.
//! They borrow the program (`'p`) for constructor descriptions and function
//! bodies, so no IR is ever copied at run time.

use std::mem;
use std::rc::Rc;

use min_core::{Constructor, Global, Lambda, Prim};

/// A run-time value of a Min program.
#[derive(Clone)]
pub enum Value<'p> {
    /// A natural number, `ℕ`.
    Nat(u128),
    /// An integer, `ℤ`.
    Int(i128),
    /// A real, `ℝ`; every NaN the machine produces is the canonical one.
    Real(f64),
    /// A boolean.
    Bool(bool),
    /// A character.
    Char(char),
    /// A string, `S`.
    Str(Rc<str>),
    /// `()`, which is also the empty tuple.
    Unit,
    /// A tuple of at least two components (a one-component tuple is its component).
    Tuple(Rc<[Value<'p>]>),
    /// The empty list.
    Nil,
    /// A non-empty list.
    Cons(Rc<Pair<'p>>),
    /// A constructor applied to all its fields, or a record.
    Data(Rc<Data<'p>>),
    /// A function: a closure, a global, a primitive, a constructor, or one of
    /// those partially applied.
    Function(Rc<Function<'p>>),
}

/// A list cell: a head and the rest of the list.
pub struct Pair<'p> {
    /// The first element.
    pub head: Value<'p>,
    /// The rest of the list: `Nil` or another `Cons`.
    pub tail: Value<'p>,
}

/// A constructor applied to its fields (a record is the constructor of its type).
pub struct Data<'p> {
    /// Name, tag, field names and whether it is a record.
    pub constructor: &'p Constructor,
    /// The field values, as many as the constructor's arity.
    pub fields: Vec<Value<'p>>,
}

/// A function value. Opaque: apply it with the machine.
pub struct Function<'p> {
    pub(crate) callable: Callable<'p>,
}

/// What a function value calls.
pub(crate) enum Callable<'p> {
    /// A global of positive arity.
    Global(&'p Global),
    /// A primitive of positive arity.
    Prim(Prim),
    /// A constructor of positive arity.
    Constructor(&'p Constructor),
    /// A lambda with its captured values.
    Closure(Closure<'p>),
    /// Member `index` of a group of mutually recursive lambdas.
    Recursive(Rc<RecursiveGroup<'p>>, usize),
    /// A function (never itself `Partial`) with fewer arguments than its arity.
    Partial(Rc<Function<'p>>, Vec<Value<'p>>),
    /// Compiled code taking this many arguments, read back from a backend's
    /// memory: it prints and compares like any function, but the
    /// interpreter cannot run it.
    Opaque(usize),
}

/// A lambda and the values it captured.
pub(crate) struct Closure<'p> {
    /// The code.
    pub(crate) lambda: &'p Lambda,
    /// The captured values, in the order of `lambda.captures`.
    pub(crate) captures: Vec<Value<'p>>,
    /// The global whose body created the closure, for traces.
    pub(crate) owner: &'p str,
}

/// The lambdas of one `LetRec` and what they captured. A member's capture of
/// a member (itself included) is not stored but rebuilt at each call, so
/// recursive closures form no reference cycle and are freed like any value.
pub(crate) struct RecursiveGroup<'p> {
    /// The bindings: slots and lambdas.
    pub(crate) members: &'p [(u32, Lambda)],
    /// Per member, its captures in the order of its lambda's `captures`.
    pub(crate) captures: Vec<Vec<Capture<'p>>>,
    /// The global whose body created the group, for traces.
    pub(crate) owner: &'p str,
}

/// One captured value of a recursive group's member.
pub(crate) enum Capture<'p> {
    /// A value of the enclosing frame.
    Value(Value<'p>),
    /// The group's member of this index.
    Member(usize),
}

impl<'p> Function<'p> {
    /// A shared function value calling `callable`.
    pub(crate) fn new(callable: Callable<'p>) -> Rc<Function<'p>> {
        Rc::new(Function { callable })
    }

    /// How many more arguments the function takes before it runs.
    pub fn arity(&self) -> usize {
        match &self.callable {
            Callable::Global(global) => global.arity as usize,
            Callable::Prim(prim) => prim.arity() as usize,
            Callable::Constructor(constructor) => constructor.arity as usize,
            Callable::Closure(closure) => closure.lambda.params as usize,
            Callable::Recursive(group, index) => {
                group.members.get(*index).map_or(0, |(_, lambda)| lambda.params as usize)
            }
            Callable::Partial(function, args) => function.arity().saturating_sub(args.len()),
            Callable::Opaque(arity) => *arity,
        }
    }
}

impl<'p> Value<'p> {
    /// A string value.
    pub fn string(text: &str) -> Value<'p> {
        Value::Str(Rc::from(text))
    }

    /// The list of `items`, in order.
    pub fn list(items: Vec<Value<'p>>) -> Value<'p> {
        items.into_iter().rev().fold(Value::Nil, |tail, head| Value::cons(head, tail))
    }

    /// The list `head :: tail`.
    pub fn cons(head: Value<'p>, tail: Value<'p>) -> Value<'p> {
        Value::Cons(Rc::new(Pair { head, tail }))
    }

    /// The tuple of `items`: unit when empty, the item itself when alone.
    pub fn tuple(mut items: Vec<Value<'p>>) -> Value<'p> {
        match items.len() {
            0 => Value::Unit,
            1 => items.pop().unwrap_or(Value::Unit),
            _ => Value::Tuple(Rc::from(items)),
        }
    }

    /// A function of compiled code taking `arity` arguments, as the run-time
    /// library reads a closure back from a backend's memory. It shows as
    /// `<function>` and cannot be compared, like every function; applying it
    /// in the interpreter is an error.
    pub fn opaque_function(arity: usize) -> Value<'p> {
        Value::Function(Function::new(Callable::Opaque(arity)))
    }

    /// `constructor` applied to `fields`.
    pub fn data(constructor: &'p Constructor, fields: Vec<Value<'p>>) -> Value<'p> {
        Value::Data(Rc::new(Data { constructor, fields }))
    }

    /// The elements of a list value (nothing for any other value).
    pub(crate) fn elements(&self) -> Elements<'_, 'p> {
        Elements { rest: self }
    }

    /// A short name of the value's kind, for messages about ill-formed IR.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Nat(_) => "a natural number",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Bool(_) => "a boolean",
            Value::Char(_) => "a character",
            Value::Str(_) => "a string",
            Value::Unit => "unit",
            Value::Tuple(_) => "a tuple",
            Value::Nil | Value::Cons(_) => "a list",
            Value::Data(_) => "a constructor value",
            Value::Function(_) => "a function",
        }
    }
}

/// Iterator over the elements of a list value.
pub(crate) struct Elements<'a, 'p> {
    rest: &'a Value<'p>,
}

impl<'a, 'p> Iterator for Elements<'a, 'p> {
    type Item = &'a Value<'p>;

    fn next(&mut self) -> Option<&'a Value<'p>> {
        match self.rest {
            Value::Cons(pair) => {
                self.rest = &pair.tail;
                Some(&pair.head)
            }
            _ => None,
        }
    }
}

// Dropping a long list or a deep tree the obvious way recurses once per
// cell and overflows the Rust stack. Cells and data therefore hand their
// uniquely owned children to an explicit work list instead.

impl Drop for Pair<'_> {
    fn drop(&mut self) {
        if owns_compound(&self.head) || owns_compound(&self.tail) {
            let mut pending =
                vec![mem::replace(&mut self.head, Value::Unit), mem::replace(&mut self.tail, Value::Unit)];
            dismantle(&mut pending);
        }
    }
}

impl Drop for Data<'_> {
    fn drop(&mut self) {
        if self.fields.iter().any(owns_compound) {
            let mut pending = mem::take(&mut self.fields);
            dismantle(&mut pending);
        }
    }
}

/// Whether dropping `value` would free a compound value (and so recurse).
fn owns_compound(value: &Value<'_>) -> bool {
    match value {
        Value::Tuple(rc) => Rc::strong_count(rc) == 1,
        Value::Cons(rc) => Rc::strong_count(rc) == 1,
        Value::Data(rc) => Rc::strong_count(rc) == 1,
        Value::Function(rc) => Rc::strong_count(rc) == 1,
        _ => false,
    }
}

/// Drops every value in `pending` without recursing: a uniquely owned
/// compound gives its children to the work list before it is freed empty.
fn dismantle(pending: &mut Vec<Value<'_>>) {
    while let Some(value) = pending.pop() {
        match value {
            Value::Tuple(mut rc) => {
                if let Some(items) = Rc::get_mut(&mut rc) {
                    pending.extend(items.iter_mut().map(|item| mem::replace(item, Value::Unit)));
                }
            }
            Value::Cons(mut rc) => {
                if let Some(pair) = Rc::get_mut(&mut rc) {
                    pending.push(mem::replace(&mut pair.head, Value::Unit));
                    pending.push(mem::replace(&mut pair.tail, Value::Unit));
                }
            }
            Value::Data(mut rc) => {
                if let Some(data) = Rc::get_mut(&mut rc) {
                    pending.append(&mut data.fields);
                }
            }
            Value::Function(mut rc) => {
                if let Some(function) = Rc::get_mut(&mut rc) {
                    match &mut function.callable {
                        Callable::Closure(closure) => pending.append(&mut closure.captures),
                        Callable::Recursive(group, _) => {
                            if let Some(group) = Rc::get_mut(group) {
                                for captures in mem::take(&mut group.captures) {
                                    pending.extend(captures.into_iter().filter_map(|capture| match capture {
                                        Capture::Value(value) => Some(value),
                                        Capture::Member(_) => None,
                                    }));
                                }
                            }
                        }
                        Callable::Partial(_, args) => pending.append(args),
                        Callable::Global(_) | Callable::Prim(_) | Callable::Constructor(_) | Callable::Opaque(_) => {}
                    }
                }
            }
            _ => {}
        }
    }
}
