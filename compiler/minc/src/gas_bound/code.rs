//! The Wasm side of a gas bound: the most fuel any run of a function can
//! burn, found on the module `minc build` emits.
//!
//! The emitted code has no loops: control flow is `block`, `if`/`else`,
//! `br` and `return`, so a run passes each instruction at most once and
//! takes one arm of each `if`. The most a run of a function body can cost
//! is then a longest path through its structured code, where a call costs
//! one instruction plus the callee's own bound and a helper call costs one
//! plus the helper's bound. Iteration happens only through calls, so a
//! function that may call itself, directly or not, or calls a function
//! value (`call_indirect`), has no bound here.

use super::poly::Poly;
use min_lir::Helper;
use rustc_hash::FxHashMap as HashMap;
use wasmparser::{Name, Operator, Parser, Payload};

/// A parsed module: for each function, its structured steps.
pub struct Code {
    /// Imported functions first (the helpers), by import index.
    imports: Vec<Option<Helper>>,
    /// The defined functions, by index after the imports.
    functions: Vec<Function>,
    /// Function names from the name section, by function index.
    names: HashMap<u32, String>,
    /// Exported functions by name.
    exports: HashMap<String, u32>,
    /// Exported globals by name.
    globals: HashMap<String, u32>,
}

/// One defined function.
struct Function {
    steps: Vec<Step>,
    /// Bytes of its body in the module.
    bytes: u64,
}

/// What an instruction does to a path's cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// An instruction that costs one unit of fuel and falls through.
    Paid,
    /// `global.set` of a global (one unit).
    SetGlobal(u32),
    /// An instruction that costs nothing and falls through (`nop`, `drop`).
    Free,
    /// `block`.
    Block,
    /// `if`: one unit, then either arm.
    If,
    /// `else`.
    Else,
    /// `end`.
    End,
    /// `br` to the `n`th enclosing block (one unit).
    Br(u32),
    /// `return`, or `unreachable`: the path leaves the function.
    Leave,
    /// `call` (one unit and the callee's cost).
    Call(u32),
    /// `return_call`: the callee's cost, and the path leaves.
    TailCall(u32),
    /// `call_indirect` or `return_call_indirect`.
    Indirect,
    /// `loop`, which the emitter never writes.
    Loop,
}

/// Whether wasmtime charges fuel for an operator: all but these structural ones.
fn is_free(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Nop
            | Operator::Drop
            | Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::Else
            | Operator::End
            | Operator::Return
            | Operator::Unreachable
    )
}

impl Code {
    /// Parses a module that `minc build` emitted.
    pub fn parse(wasm: &[u8]) -> Result<Code, String> {
        let mut code = Code {
            imports: Vec::new(),
            functions: Vec::new(),
            names: HashMap::default(),
            exports: HashMap::default(),
            globals: HashMap::default(),
        };
        let malformed = |error: wasmparser::BinaryReaderError| format!("the module cannot be read: {error}");
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(malformed)? {
                Payload::ImportSection(imports) => {
                    for import in imports.into_imports() {
                        let import = import.map_err(malformed)?;
                        if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                            code.imports.push(Helper::ALL.iter().copied().find(|h| h.name() == import.name));
                        }
                    }
                }
                Payload::ExportSection(exports) => {
                    for export in exports {
                        let export = export.map_err(malformed)?;
                        match export.kind {
                            wasmparser::ExternalKind::Func => {
                                code.exports.insert(export.name.to_string(), export.index)
                            }
                            wasmparser::ExternalKind::Global => {
                                code.globals.insert(export.name.to_string(), export.index)
                            }
                            _ => None,
                        };
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let bytes = body.range().len() as u64;
                    let mut steps = Vec::new();
                    for op in body.get_operators_reader().map_err(malformed)? {
                        steps.push(step(&op.map_err(malformed)?));
                    }
                    code.functions.push(Function { steps, bytes });
                }
                Payload::CustomSection(section) => {
                    if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                        for name in names {
                            if let Name::Function(map) = name.map_err(malformed)? {
                                for naming in map {
                                    let naming = naming.map_err(malformed)?;
                                    code.names.insert(naming.index, naming.name.to_string());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(code)
    }

    /// The function an export names.
    pub fn export(&self, name: &str) -> Option<u32> {
        self.exports.get(name).copied()
    }

    /// Bytes of code of `function` and every function it may call.
    pub fn reachable_bytes(&self, function: u32) -> u64 {
        let mut seen = vec![false; self.functions.len()];
        let mut stack = vec![function];
        let mut total = 0u64;
        while let Some(index) = stack.pop() {
            let Some(local) = self.defined(index) else { continue };
            if std::mem::replace(&mut seen[local], true) {
                continue;
            }
            total += self.functions[local].bytes;
            for step in &self.functions[local].steps {
                if let Step::Call(callee) | Step::TailCall(callee) = step {
                    stack.push(*callee);
                }
            }
        }
        total
    }

    fn defined(&self, index: u32) -> Option<usize> {
        (index as usize).checked_sub(self.imports.len()).filter(|local| *local < self.functions.len())
    }

    fn name(&self, index: u32) -> String {
        self.names.get(&index).cloned().unwrap_or_else(|| format!("function {index}"))
    }

    /// The most a run of `function` can cost, each instruction costing
    /// `unit` and each helper call `unit` more than `helper_cost`, or why
    /// there is no such bound. With `unit` 1 this is the fuel it burns.
    pub fn bound(&self, function: u32, unit: u64, helper_cost: &dyn Fn(Helper) -> Poly) -> Result<Poly, String> {
        let mut memo = HashMap::default();
        self.function_bound(function, unit, helper_cost, &mut memo, &mut Vec::new())
    }

    /// The most region descriptors that can be open at once during a run
    /// of `function`: each function opens a descriptor with a `global.set`
    /// of `region_top`, so no more than it sets the global along the
    /// deepest chain of calls. `function` must have a [`Code::bound`].
    pub fn region_depth(&self, function: u32, region_top: u32) -> u64 {
        let mut memo: HashMap<u32, u64> = HashMap::default();
        self.depth(function, region_top, &mut memo)
    }

    fn depth(&self, index: u32, region_top: u32, memo: &mut HashMap<u32, u64>) -> u64 {
        if let Some(known) = memo.get(&index) {
            return *known;
        }
        let Some(local) = self.defined(index) else { return 0 };
        // Marked first, so that a cycle (which a bound rules out) ends.
        memo.insert(index, 0);
        let steps = &self.functions[local].steps;
        let sets = steps.iter().filter(|step| **step == Step::SetGlobal(region_top)).count() as u64;
        let deepest = steps
            .iter()
            .filter_map(|step| match step {
                Step::Call(callee) | Step::TailCall(callee) => Some(self.depth(*callee, region_top, memo)),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let depth = sets.saturating_add(deepest);
        memo.insert(index, depth);
        depth
    }

    /// The index of an exported global.
    pub fn global(&self, name: &str) -> Option<u32> {
        self.globals.get(name).copied()
    }

    fn function_bound(
        &self,
        index: u32,
        unit: u64,
        helper_cost: &dyn Fn(Helper) -> Poly,
        memo: &mut HashMap<u32, Poly>,
        active: &mut Vec<u32>,
    ) -> Result<Poly, String> {
        if let Some(known) = memo.get(&index) {
            return Ok(known.clone());
        }
        let Some(local) = self.defined(index) else {
            return match self.imports.get(index as usize).copied().flatten() {
                Some(helper) => Ok(helper_cost(helper)),
                None => Err(format!("it calls an import the run-time library does not have ({index})")),
            };
        };
        if let Some(at) = active.iter().position(|a| *a == index) {
            let cycle: Vec<String> =
                active[at..].iter().chain([&index]).map(|i| format!("`{}`", self.name(*i))).collect();
            return Err(format!("it may recurse: {}", cycle.join(" calls ")));
        }
        active.push(index);
        let mut callee = |callee: u32| self.function_bound(callee, unit, helper_cost, memo, active);
        let bound = longest_path(&self.functions[local].steps, unit, &mut callee);
        active.pop();
        let bound = bound.map_err(|why| match why {
            PathError::Indirect => {
                format!("`{}` calls a function value, whose cost is not known here", self.name(index))
            }
            PathError::Loop => format!("`{}` has a loop", self.name(index)),
            PathError::Callee(why) => why,
        })?;
        memo.insert(index, bound.clone());
        Ok(bound)
    }
}

fn step(op: &Operator<'_>) -> Step {
    match op {
        Operator::Block { .. } => Step::Block,
        Operator::If { .. } => Step::If,
        Operator::Else => Step::Else,
        Operator::End => Step::End,
        Operator::Br { relative_depth } => Step::Br(*relative_depth),
        Operator::Return | Operator::Unreachable => Step::Leave,
        Operator::Call { function_index } => Step::Call(*function_index),
        Operator::ReturnCall { function_index } => Step::TailCall(*function_index),
        Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => Step::Indirect,
        Operator::Loop { .. } | Operator::BrIf { .. } | Operator::BrTable { .. } => Step::Loop,
        Operator::GlobalSet { global_index } => Step::SetGlobal(*global_index),
        op if is_free(op) => Step::Free,
        _ => Step::Paid,
    }
}

/// Why a function body has no longest path.
enum PathError {
    Indirect,
    Loop,
    Callee(String),
}

/// A structured block being walked.
struct Frame {
    /// For an `if`: the cost where it started, which its `else` arm (or
    /// the missing one) starts from.
    entry: Option<Option<Poly>>,
    /// For an `if` with an `else`: the cost at the end of the `then` arm.
    then_end: Option<Poly>,
    /// The most any `br` to this block's end has cost.
    breaks: Option<Poly>,
}

/// The larger of two path costs, where `None` is no path at all.
fn join(a: Option<Poly>, b: Option<Poly>) -> Option<Poly> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(&b)),
        (a, b) => a.or(b),
    }
}

/// The most any path through a function body costs. `current` is the most
/// a path reaching the step being walked has cost, `None` where no path
/// reaches (after a `br` or `return`).
fn longest_path(
    steps: &[Step],
    unit: u64,
    callee: &mut dyn FnMut(u32) -> Result<Poly, String>,
) -> Result<Poly, PathError> {
    let mut current = Some(Poly::default());
    let mut result: Option<Poly> = None;
    // The function's body is a block of its own: a `br` to it returns.
    let mut frames = vec![Frame { entry: None, then_end: None, breaks: None }];
    let paid = |current: &mut Option<Poly>, cost: &Poly| {
        if let Some(c) = current.as_mut() {
            *c = c.add(cost).plus(unit);
        }
    };
    for step in steps {
        match *step {
            Step::Paid | Step::SetGlobal(_) => paid(&mut current, &Poly::default()),
            Step::Free => {}
            Step::Block => frames.push(Frame { entry: None, then_end: None, breaks: None }),
            Step::If => {
                paid(&mut current, &Poly::default());
                frames.push(Frame { entry: Some(current.clone()), then_end: None, breaks: None });
            }
            Step::Else => {
                let frame = frames.last_mut().ok_or(PathError::Loop)?;
                frame.then_end = current.take();
                current = frame.entry.take().ok_or(PathError::Loop)?;
            }
            Step::End => {
                let frame = frames.pop().ok_or(PathError::Loop)?;
                // An `if` without `else` may skip its arm; one with `else`
                // left the `then` arm's end in `then_end`.
                current = join(join(current, frame.entry.flatten()), frame.then_end);
                current = join(current, frame.breaks);
                if frames.is_empty() {
                    result = join(result, current.take());
                }
            }
            Step::Br(depth) => {
                paid(&mut current, &Poly::default());
                let at = frames.len().checked_sub(1 + depth as usize).ok_or(PathError::Loop)?;
                frames[at].breaks = join(frames[at].breaks.take(), current.take());
            }
            Step::Leave => result = join(result, current.take()),
            Step::Call(function) | Step::TailCall(function) => {
                if current.is_some() {
                    let cost = callee(function).map_err(PathError::Callee)?;
                    paid(&mut current, &cost);
                }
                if matches!(step, Step::TailCall(_)) {
                    result = join(result, current.take());
                }
            }
            Step::Indirect => return Err(PathError::Indirect),
            Step::Loop => return Err(PathError::Loop),
        }
    }
    Ok(result.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(steps: &[Step]) -> u64 {
        let mut callee = |f: u32| Ok(Poly::constant(u64::from(f) * 100));
        match longest_path(steps, 1, &mut callee) {
            Ok(cost) => cost.eval(0),
            Err(_) => panic!("the test's steps have a longest path"),
        }
    }

    #[test]
    fn an_if_costs_its_dearer_arm() {
        use Step::*;
        // if (1) then 3 paid else 1 paid end, 1 paid, end of function.
        assert_eq!(path(&[If, Paid, Paid, Paid, Else, Paid, End, Paid, End]), 1 + 3 + 1);
        // Without an else, the arm may be skipped, which costs less.
        assert_eq!(path(&[If, Paid, Paid, End, End]), 3);
    }

    #[test]
    fn a_branch_skips_the_rest_of_its_block_and_a_return_leaves() {
        use Step::*;
        // block: if: br 1 (to the block's end) end, 5 paid, end
        let steps = [Block, If, Br(1), End, Paid, Paid, Paid, Paid, Paid, End, End];
        assert_eq!(path(&steps), 1 + 5);
        // A return in one arm leaves with what it cost so far.
        assert_eq!(path(&[If, Call(3), Leave, Else, Paid, End, End]), 1 + 301);
    }

    #[test]
    fn calls_add_their_callee_and_dead_code_costs_nothing() {
        use Step::*;
        assert_eq!(path(&[Call(2), TailCall(1), Call(9), End]), 201 + 101);
    }
}
