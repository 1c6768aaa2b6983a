//! Termination of recursion that has no `decreases` clause: the verifier
//! looks for a measure itself.
//!
//! A global is recursive when its body refers to a global of its recursion
//! group (itself included). For a group in which no function has a
//! `decreases` clause, each function's candidate measures are read off its
//! parameters: a ℕ, the length of a list, a value of a data type (by its
//! size), a ℕ or ℤ field of a record, the difference of two numbers, and
//! the sum of two ℕs or lengths.
//! The group ends if some choice of one candidate per function makes every
//! call inside the group smaller: at a call from `f` to `g`, `g`'s measure
//! of the call's arguments is below `f`'s measure on entry. Numbers are
//! compared by Z3 under the facts of the call's path (a measure that may be
//! negative must also be at least zero on entry); a value of a data type is
//! smaller when it is a field of the one on entry, which is decided here,
//! without the solver. Each measure is bounded below and every call lowers
//! it, so no chain of calls is infinite.
//!
//! Nothing is refuted: a group with no measure found, or whose functions
//! use each other other than by calling them directly (from a local
//! function, or as a function value), is *unknown*, and a `decreases`
//! clause settles it.

use crate::execute::RecursiveCall;
use crate::pool::Solved;
use crate::query::Query;
use crate::report::Outcome;
use crate::symbolic::{Sym, all_of, any_of};
use crate::{answer::Answer, program::Program};
use min_core::{Expr, Global, Lambda, Slot, SpecKind, Ty};
use std::collections::BTreeMap;
use std::rc::Rc;
use z3::ast::{Bool, Int};

/// How many candidate measures of one function are tried.
const CANDIDATES_MAX: usize = 12;

/// How many questions one recursion group may ask the solver.
const QUESTIONS_MAX: usize = 256;

/// How many choices of measures one recursion group may try.
const CHOICES_MAX: usize = 100_000;

/// What the reports say when no measure is found.
const NOT_FOUND: &str = "no measure found: no ℕ, list length, value of a data type, record field, sum of two ℕs or \
                         lengths, or difference of two numbers among the parameters gets smaller at every recursive \
                         call";

/// How a group with no measure found gets one: top-level functions
/// take a `decreases` clause, local functions do not.
const GLOBAL_HINT: &str = "a `decreases` clause gives one";
const LOCAL_HINT: &str =
    "a local function takes no `decreases` clause: as a top-level function with one it is measured";

/// One function of a recursion group, as its walk found it: a global, or
/// a local function of a `let rec` group.
pub(crate) struct Member<'a> {
    /// Its name: a global's qualified name, a local function's as written.
    pub name: String,
    /// How many parameters it has.
    pub arity: usize,
    /// What each slot of its frame holds, its parameters first.
    pub slots: &'a [Slot],
    /// The symbolic values of its parameters on entry, with their types.
    pub parameters: &'a [(Sym, Ty)],
    /// Its calls to functions of its group.
    pub calls: &'a [RecursiveCall],
    /// The ranges of its walk's unknown values.
    pub axioms: &'a [Bool],
}

/// The termination check of one recursion group, its questions asked in
/// a batch with the others.
pub(crate) struct Group {
    /// The names of its functions, in the order the members were given.
    names: Vec<String>,
    /// Whether they are local functions (which take no `decreases` clause).
    local: bool,
    /// Why it is unknown whatever the solver answers, if it is.
    unknown: Option<String>,
    /// The candidate measures of each function.
    candidates: Vec<Vec<Candidate>>,
    /// Each (caller, callee) pair with calls between them.
    edges: Vec<Edge>,
}

/// The calls from one function of a group to one (maybe the same).
struct Edge {
    caller: usize,
    callee: usize,
    /// For a (caller's candidate, callee's candidate) pair: whether every
    /// call makes the measure smaller.
    answers: BTreeMap<(usize, usize), Decision>,
}

/// Whether a pair of candidates makes every call of an edge smaller.
#[derive(Clone, Copy)]
enum Decision {
    /// Decided without the solver.
    Known(bool),
    /// Yes when this question of the batch is unsatisfiable.
    Asked(usize),
}

/// What a measure counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// A number never below zero (a ℕ, a length).
    Natural,
    /// A number that may be negative: it must be at least zero on entry.
    Integer,
    /// The size of a value of a data type.
    Structure,
}

/// Where a measure is read from a function's arguments.
#[derive(Clone, Copy)]
enum Selector {
    /// A parameter: its value, its length or its size.
    Parameter(usize),
    /// A numeric field of a record parameter.
    Field(usize, usize),
    /// The second number minus the first.
    Difference(usize, usize),
    /// The sum of two parameters' numbers never below zero (ℕ, lengths).
    Sum(usize, usize),
}

/// A candidate measure of one function.
struct Candidate {
    selector: Selector,
    scale: Scale,
    /// How the report names it (`n`, the length of `xs`).
    name: String,
}

/// A measure's value at one point.
enum Measure {
    /// A number, and whether it is known never to be below zero.
    Number(Int, bool),
    /// A value measured by its size.
    Structure(Sym),
}

/// Whether one call makes the measure smaller.
enum Decrease {
    Always,
    Never,
    When(Bool),
}

/// The recursive globals among `globals`, grouped: every group whose
/// functions may call each other, in the order of their first function.
pub(crate) fn recursive_groups<'g, 'p>(program: &Program<'p>, globals: &[&'g Global]) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut order: Vec<usize> = Vec::new();
    for (index, global) in globals.iter().enumerate() {
        let Some(group) = program.group_of(&global.name) else { continue };
        let members = groups.entry(group).or_default();
        if members.is_empty() {
            order.push(group);
        }
        members.push(index);
    }
    order
        .into_iter()
        .filter_map(|group| groups.remove(&group))
        .filter(|members| {
            members.len() > 1 || {
                let global = globals[members[0]];
                refers_to(&global.body, &|name| name == global.name)
            }
        })
        .collect()
}

/// The `decreases` clauses a recursion group has written.
pub(crate) enum WrittenMeasures {
    /// None: the verifier looks for measures itself.
    None,
    /// One on every function: its calls are the `decreases` obligations'
    /// business.
    All,
    /// On some functions only; the reason the group is unknown.
    Some(String),
}

/// The `decreases` clauses the functions of a group have written.
pub(crate) fn written_measures(program: &Program<'_>, members: &[&Global]) -> WrittenMeasures {
    let (with, without): (Vec<&Global>, Vec<&Global>) =
        members.iter().partition(|global| !program.clauses(&global.name, SpecKind::Decreases).is_empty());
    match (with.first(), without.first()) {
        (None, _) => WrittenMeasures::None,
        (Some(_), None) => WrittenMeasures::All,
        (Some(with), Some(without)) => WrittenMeasures::Some(format!(
            "`{}` of this recursion group has a `decreases` clause and `{}` has none: a cycle of calls is measured \
             when every function on it has one",
            crate::execute::short(&with.name),
            crate::execute::short(&without.name)
        )),
    }
}

/// Plans the check of the group of `members`, pushing its questions onto
/// `queries`. `unknown` is a reason it cannot be proved, found before.
pub(crate) fn plan(
    program: &Program<'_>,
    members: &[Member<'_>],
    local: bool,
    unknown: Option<String>,
    queries: &mut Vec<Query>,
    timeout_ms: u32,
) -> Group {
    let names: Vec<String> = members.iter().map(|member| member.name.clone()).collect();
    let candidates: Vec<Vec<Candidate>> =
        members.iter().map(|member| candidates(program, member.arity, member.slots)).collect();
    let mut group = Group { names, local, unknown, candidates, edges: Vec::new() };
    if group.unknown.is_some() {
        return group;
    }
    // Each (caller, callee) pair with calls between them, and its calls.
    let mut calls_between: Vec<(usize, usize, Vec<&RecursiveCall>)> = Vec::new();
    for (caller, member) in members.iter().enumerate() {
        for (callee, name) in group.names.iter().enumerate() {
            let calls: Vec<&RecursiveCall> = member.calls.iter().filter(|call| call.callee == *name).collect();
            if !calls.is_empty() {
                calls_between.push((caller, callee, calls));
            }
        }
    }
    let questions: usize = calls_between
        .iter()
        .map(|&(caller, callee, _)| {
            let (own, theirs) = (group.candidates[caller].len(), group.candidates[callee].len());
            if caller == callee { own } else { own * theirs }
        })
        .sum();
    if questions > QUESTIONS_MAX {
        group.unknown = Some(format!("its recursion group would need {questions} questions to find a measure"));
        return group;
    }
    for (caller, callee, calls) in calls_between {
        let member = &members[caller];
        let entry: Vec<Sym> = member.parameters.iter().map(|(value, _)| value.clone()).collect();
        let mut answers = BTreeMap::new();
        for (own, own_candidate) in group.candidates[caller].iter().enumerate() {
            for (their, their_candidate) in group.candidates[callee].iter().enumerate() {
                if caller == callee && own != their {
                    continue;
                }
                let decision = decide(member, &entry, own_candidate, their_candidate, &calls, queries, timeout_ms);
                answers.insert((own, their), decision);
            }
        }
        group.edges.push(Edge { caller, callee, answers });
    }
    group
}

/// The outcome for each function of `group` given the batch's `answers`:
/// the function's index among the members, its operation in words, and
/// the outcome.
pub(crate) fn conclude(group: &Group, answers: &[Solved]) -> Vec<(usize, String, Outcome)> {
    let unknown = |reason: &str| {
        (0..group.names.len())
            .map(|index| (index, "recursion".to_string(), Outcome::Unknown { reason: reason.to_string() }))
            .collect()
    };
    if let Some(reason) = &group.unknown {
        return unknown(reason);
    }
    let holds = |decision: Decision| match decision {
        Decision::Known(known) => known,
        Decision::Asked(index) => answers.get(index).is_some_and(|solved| solved.answer == Answer::Unsat),
    };
    let not_found = format!("{NOT_FOUND}; {}", if group.local { LOCAL_HINT } else { GLOBAL_HINT });
    let sizes: Vec<usize> = group.candidates.iter().map(Vec::len).collect();
    if sizes.contains(&0) {
        return unknown(&not_found);
    }
    let mut choice = vec![0usize; sizes.len()];
    for _ in 0..CHOICES_MAX {
        let works = group.edges.iter().all(|edge| {
            let pair = (choice[edge.caller], choice[edge.callee]);
            edge.answers.get(&pair).is_some_and(|decision| holds(*decision))
        });
        if works {
            return choice
                .iter()
                .enumerate()
                .map(|(index, &chosen)| {
                    let operation = format!("recursion on {}", group.candidates[index][chosen].name);
                    (index, operation, Outcome::Proved)
                })
                .collect();
        }
        // The next choice, the last function's candidate counting fastest.
        let Some(position) = (0..choice.len()).rev().find(|&i| choice[i] + 1 < sizes[i]) else { break };
        choice[position] += 1;
        for later in &mut choice[position + 1..] {
            *later = 0;
        }
    }
    unknown(&not_found)
}

/// Whether `callee`'s measure `theirs` of each call's arguments is below
/// `caller`'s measure `own` of its parameters' values on entry, `entry`,
/// on every path to the calls.
fn decide(
    caller: &Member<'_>,
    entry: &[Sym],
    own: &Candidate,
    theirs: &Candidate,
    calls: &[&RecursiveCall],
    queries: &mut Vec<Query>,
    timeout_ms: u32,
) -> Decision {
    let Some(entry) = measure(own, entry) else { return Decision::Known(false) };
    let mut failures = Vec::new();
    for call in calls {
        let Some(at_call) = measure(theirs, &call.arguments) else { return Decision::Known(false) };
        match decrease(&at_call, &entry) {
            Decrease::Always => {}
            Decrease::Never => return Decision::Known(false),
            Decrease::When(smaller) => {
                let mut conditions: Vec<Bool> = call.path.iter().map(|fact| fact.condition.clone()).collect();
                conditions.push(smaller.not());
                failures.push(all_of(&conditions));
            }
        }
    }
    if failures.is_empty() {
        return Decision::Known(true);
    }
    let failure = any_of(&failures);
    queries.push(Query::new(caller.axioms.iter().chain(std::iter::once(&failure)), timeout_ms));
    Decision::Asked(queries.len() - 1)
}

/// Whether the measure `at_call` is below `entry`.
fn decrease(at_call: &Measure, entry: &Measure) -> Decrease {
    match (at_call, entry) {
        (Measure::Number(call, _), Measure::Number(entry, _)) if call == entry => Decrease::Never,
        (Measure::Number(call, _), Measure::Number(entry, true)) => Decrease::When(call.lt(entry)),
        (Measure::Number(call, _), Measure::Number(entry, false)) => {
            Decrease::When(Bool::and(&[entry.ge(Int::from_u64(0)), call.lt(entry)]))
        }
        (Measure::Structure(call), Measure::Structure(entry)) if strictly_inside(entry, call) => Decrease::Always,
        _ => Decrease::Never,
    }
}

/// The value of `candidate` on a function's `arguments`, if they have the
/// shape it reads.
fn measure(candidate: &Candidate, arguments: &[Sym]) -> Option<Measure> {
    let never_negative = candidate.scale == Scale::Natural;
    match candidate.selector {
        Selector::Parameter(index) => match (candidate.scale, arguments.get(index)?) {
            (Scale::Structure, value) => Some(Measure::Structure(value.clone())),
            (Scale::Integer, Sym::Int(value, _)) => Some(Measure::Number(value.clone(), false)),
            (Scale::Natural, value) => natural(value),
            _ => None,
        },
        Selector::Field(index, field) => match arguments.get(index)? {
            Sym::Con(_, fields) => match fields.get(field)? {
                Sym::Int(value, _) => Some(Measure::Number(value.clone(), never_negative)),
                _ => None,
            },
            _ => None,
        },
        Selector::Difference(low, high) => match (arguments.get(low)?, arguments.get(high)?) {
            (Sym::Int(low, _), Sym::Int(high, _)) => Some(Measure::Number(high - low, false)),
            _ => None,
        },
        Selector::Sum(a, b) => {
            let (Some(Measure::Number(a, _)), Some(Measure::Number(b, _))) =
                (natural(arguments.get(a)?), natural(arguments.get(b)?))
            else {
                return None;
            };
            Some(Measure::Number(&a + &b, true))
        }
    }
}

/// A ℕ's value or a list's length, as a measure.
fn natural(value: &Sym) -> Option<Measure> {
    match value {
        Sym::Int(value, _) => Some(Measure::Number(value.clone(), true)),
        Sym::List(list) => Some(Measure::Number(list.length().0, true)),
        _ => None,
    }
}

/// The candidate measures of a function of `arity` parameters whose frame
/// holds `slots`, read off its parameters' types.
fn candidates(program: &Program<'_>, arity: usize, slots: &[Slot]) -> Vec<Candidate> {
    let parameters: Vec<(String, &Ty)> = (0..arity)
        .filter_map(|index| slots.get(index).map(|slot| (parameter_name(&slot.name, index), &slot.ty)))
        .collect();
    let mut found = Vec::new();
    let mut numbers = Vec::new();
    let mut naturals = Vec::new();
    for (index, (name, ty)) in parameters.iter().enumerate() {
        let parameter = Selector::Parameter(index);
        match ty {
            Ty::Nat => {
                found.push(Candidate { selector: parameter, scale: Scale::Natural, name: name.clone() });
                numbers.push(index);
                naturals.push((index, bare(name).to_string()));
            }
            Ty::Int => {
                found.push(Candidate { selector: parameter, scale: Scale::Integer, name: name.clone() });
                numbers.push(index);
            }
            Ty::List(_) => {
                found.push(Candidate {
                    selector: parameter,
                    scale: Scale::Natural,
                    name: format!("the length of {name}"),
                });
                naturals.push((index, format!("length {}", bare(name))));
            }
            Ty::Data(..) => {
                found.push(Candidate { selector: parameter, scale: Scale::Structure, name: name.clone() });
                found.extend(record_fields(program, ty, index, name));
            }
            _ => {}
        }
    }
    for &low in &numbers {
        for &high in &numbers {
            if low != high {
                let name = format!("`{} - {}`", bare(&parameters[high].0), bare(&parameters[low].0));
                found.push(Candidate { selector: Selector::Difference(low, high), scale: Scale::Integer, name });
            }
        }
    }
    for (position, (a, a_name)) in naturals.iter().enumerate() {
        for (b, b_name) in &naturals[position + 1..] {
            let name = format!("`{a_name} + {b_name}`");
            found.push(Candidate { selector: Selector::Sum(*a, *b), scale: Scale::Natural, name });
        }
    }
    found.truncate(CANDIDATES_MAX);
    found
}

/// The ℕ and ℤ fields of parameter `index` when it is a record.
fn record_fields(program: &Program<'_>, ty: &Ty, index: usize, name: &str) -> Vec<Candidate> {
    let Some((def, fields)) = program.constructors(ty) else { return Vec::new() };
    if !def.record || fields.len() != 1 {
        return Vec::new();
    }
    fields[0]
        .iter()
        .enumerate()
        .filter_map(|(field, field_ty)| {
            let scale = match field_ty {
                Ty::Nat => Scale::Natural,
                Ty::Int => Scale::Integer,
                _ => return None,
            };
            let field_name = def.constructors[0].fields.get(field)?.0.clone()?;
            let name = format!("`{}.{field_name}`", bare(name));
            Some(Candidate { selector: Selector::Field(index, field), scale, name })
        })
        .collect()
}

/// How a report names parameter `index` called `name` (empty when the
/// function's rules match it with patterns).
fn parameter_name(name: &str, index: usize) -> String {
    if name.is_empty() { format!("argument {}", index + 1) } else { format!("`{name}`") }
}

/// A parameter's name without its quotes, for a name built from it.
fn bare(name: &str) -> &str {
    name.trim_matches('`')
}

/// A use, by a global of a recursion group, of a function of the group
/// other than a direct call from its body (inside a local function, or as
/// a value), as the reason the group's termination is unknown.
pub(crate) fn indirect_use(program: &Program<'_>, members: &[&Global]) -> Option<String> {
    let names: Vec<String> = members.iter().map(|global| global.name.clone()).collect();
    members.iter().find_map(|global| {
        let mut found = None;
        indirect(program, &global.body, &names, false, &mut found);
        found.map(|name: String| not_measured(crate::execute::short(&global.name), crate::execute::short(&name)))
    })
}

/// A use, by a local function of a `let rec` group, of a function of the
/// group other than a direct call from its body, as the reason the
/// group's termination is unknown. `reached` are, for each function, the
/// slots through which it reaches the group's functions and their indices.
pub(crate) fn indirect_local_use(
    bindings: &[(u32, Lambda)],
    reached: &[Vec<(u32, usize)>],
    names: &[String],
) -> Option<String> {
    bindings.iter().zip(reached).zip(names).find_map(|(((_, lambda), reached), name)| {
        let member = indirect_local(&lambda.body, reached, bindings)?;
        Some(not_measured(name, &names[member]))
    })
}

/// The reason a group is unknown when `user` uses `used` other than by
/// calling it.
fn not_measured(user: &str, used: &str) -> String {
    format!(
        "`{user}` uses `{used}` inside a local function or as a function value, and recursion through such a use is \
         not measured"
    )
}

/// The index of a function of the group that `expr` uses through one of
/// the slots `reached` other than by a saturated call.
fn indirect_local(expr: &Expr, reached: &[(u32, usize)], bindings: &[(u32, Lambda)]) -> Option<usize> {
    let member_at = |slot: u32| reached.iter().find(|(reached, _)| *reached == slot).map(|(_, member)| *member);
    let captured = |lambda: &Lambda| lambda.captures.iter().find_map(|(outer, _)| member_at(*outer));
    match expr {
        Expr::Local(slot) => member_at(*slot),
        Expr::Apply(function, args, _) => {
            let direct = match &**function {
                Expr::Local(slot) => member_at(*slot)
                    .is_some_and(|member| bindings.get(member).is_some_and(|(_, f)| f.params as usize == args.len())),
                _ => false,
            };
            let in_function = if direct { None } else { indirect_local(function, reached, bindings) };
            in_function.or_else(|| args.iter().find_map(|arg| indirect_local(arg, reached, bindings)))
        }
        Expr::Lambda(lambda) => captured(lambda),
        Expr::LetRec(inner, body) => {
            inner.iter().find_map(|(_, lambda)| captured(lambda)).or_else(|| indirect_local(body, reached, bindings))
        }
        _ => expr.children().into_iter().find_map(|child| indirect_local(child, reached, bindings)),
    }
}

/// Finds in `expr` a use of a function of `names` that is not a saturated
/// call outside local functions.
fn indirect(program: &Program<'_>, expr: &Expr, names: &[String], in_lambda: bool, found: &mut Option<String>) {
    if found.is_some() {
        return;
    }
    match expr {
        Expr::Global(name) if names.contains(name) => *found = Some(name.clone()),
        Expr::Apply(function, args, _) => {
            let direct = match &**function {
                Expr::Global(name) => {
                    !in_lambda
                        && program.globals.get(name.as_str()).is_some_and(|callee| callee.arity as usize == args.len())
                }
                _ => false,
            };
            if !direct {
                indirect(program, function, names, in_lambda, found);
            }
            for arg in args {
                indirect(program, arg, names, in_lambda, found);
            }
        }
        Expr::Lambda(lambda) => indirect(program, &lambda.body, names, true, found),
        Expr::LetRec(bindings, body) => {
            for (_, lambda) in bindings {
                indirect(program, &lambda.body, names, true, found);
            }
            indirect(program, body, names, in_lambda, found);
        }
        _ => {
            for child in expr.children() {
                indirect(program, child, names, in_lambda, found);
            }
        }
    }
}

/// Whether `expr` refers to a global that `wanted` accepts.
fn refers_to(expr: &Expr, wanted: &dyn Fn(&str) -> bool) -> bool {
    matches!(expr, Expr::Global(name) if wanted(name))
        || expr.children().into_iter().any(|child| refers_to(child, wanted))
}

/// Whether `part` is the same value as a field of `whole`, or of a field
/// of it, at any depth: then it is smaller.
fn strictly_inside(whole: &Sym, part: &Sym) -> bool {
    components(whole).into_iter().any(|component| same(component, part) || strictly_inside(component, part))
}

/// The values directly inside `value` that the verifier models.
fn components(value: &Sym) -> Vec<&Sym> {
    match value {
        Sym::Con(_, fields) | Sym::Tuple(fields) => fields.iter().collect(),
        Sym::Sum(_, _, variants) => variants.values().flatten().collect(),
        Sym::List(list) => list.items.iter().collect(),
        _ => Vec::new(),
    }
}

/// Whether two symbolic values are certainly the same value: the same
/// terms, or built the same way from them.
fn same(a: &Sym, b: &Sym) -> bool {
    match (a, b) {
        (Sym::Int(x, _), Sym::Int(y, _)) => x == y,
        (Sym::Bool(x, _), Sym::Bool(y, _)) => x == y,
        (Sym::Sum(x, _, xs), Sym::Sum(y, _, ys)) => Rc::ptr_eq(xs, ys) && x == y,
        (Sym::Con(x, xs), Sym::Con(y, ys)) => {
            x == y && xs.len() == ys.len() && xs.iter().zip(ys).all(|(a, b)| same(a, b))
        }
        (Sym::Tuple(xs), Sym::Tuple(ys)) => xs.len() == ys.len() && xs.iter().zip(ys).all(|(a, b)| same(a, b)),
        (Sym::List(x), Sym::List(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
