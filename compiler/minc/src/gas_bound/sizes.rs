//! The value side of a gas bound, on the core IR: how large the values of
//! a procedure's call can be, and how many words of memory the helpers
//! that work on values of any size (comparison, concatenation, the
//! primitives, a failed match) touch along the dearest path.
//!
//! Sizes are in words, counting a value's own word and every word of its
//! parts (a part reached twice counts twice, as the helpers that walk a
//! value do), and are linear forms in the parameters' bytes
//! ([`super::linear`]). A value's [`Shape`] also keeps the
//! sizes of its fields when they are known, so that comparing two fields
//! of a record costs the fields, not the record. The walk follows calls
//! into the functions called with the shapes of their arguments. A function
//! that may call itself, or a function value, has no bound here (the Wasm
//! side says so first, with the call that does it).

use super::linear::Linear as Poly;
use min_core::{Expr, Global, Lit, Match, Module, Otherwise, Pattern, Prim};
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

/// Words of a number at most: its word, and a big one's header and two words.
const NUMBER_WORDS: u64 = 4;
/// Words of a heap object besides its fields: its own word and its header.
pub const OBJECT_WORDS: u64 = 2;
/// Words of a cons cell besides its head: its word, header and tail word.
pub const CONS_WORDS: u64 = 3;
/// Words of region bookkeeping a helper may touch for the objects it
/// builds, per word of them, and once for a fresh chunk.
const BUILD_WORDS_PER_WORD: u64 = 3;
const BUILD_WORDS_FIXED: u64 = 32;
/// Words of `Prim.show`'s text per word of the value shown, at least: a
/// string byte shows as at most six (`\u{1b}`), a number word as at most
/// 40 digits for four words, a real as 24 characters.
const SHOW_WORDS_PER_WORD: u64 = 6;
/// How many function bodies one bound may walk before giving up.
const WALK_BUDGET: usize = 20_000;

/// A value's size, with its fields' when they are known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Words of the whole value at most.
    pub total: Poly,
    /// The fields of a record, tuple or single-constructor value, in order.
    pub parts: Option<Rc<Vec<Shape>>>,
}

impl Shape {
    /// A value of at most `total` words, its fields unknown.
    pub fn whole(total: Poly) -> Shape {
        Shape { total, parts: None }
    }

    /// An object of these fields.
    pub fn object(parts: Vec<Shape>) -> Shape {
        let total = parts.iter().fold(Poly::constant(OBJECT_WORDS), |sum, part| sum.add(&part.total));
        Shape { total, parts: Some(Rc::new(parts)) }
    }

    fn constant(words: u64) -> Shape {
        Shape::whole(Poly::constant(words))
    }

    /// A shape at least as large as both, field by field where both know theirs.
    fn max(&self, other: &Shape) -> Shape {
        let parts = match (&self.parts, &other.parts) {
            (Some(a), Some(b)) if a.len() == b.len() => {
                Some(Rc::new(a.iter().zip(b.iter()).map(|(a, b)| a.max(b)).collect()))
            }
            _ => None,
        };
        Shape { total: self.total.max(&other.total), parts }
    }

    fn part(&self, index: u32) -> Shape {
        match &self.parts {
            Some(parts) => parts.get(index as usize).cloned().unwrap_or_else(|| Shape::whole(self.total.clone())),
            None => Shape::whole(self.total.clone()),
        }
    }
}

/// What the walk found for a procedure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The words the size-dependent helpers touch on the dearest path.
    pub helper_words: Poly,
    /// The words allocated on the dearest path.
    pub allocated: Poly,
    /// The procedure's result, in words.
    pub result: Poly,
}

/// Walks a call of the global `procedure` whose parameters have `params`;
/// `called` bounds the words of each result of another contract's
/// procedure (by qualified name), or says why there is no bound.
pub fn walk(
    program: &[Module],
    procedure: &str,
    params: Vec<Shape>,
    called: &HashMap<String, Result<Poly, String>>,
) -> Result<Found, String> {
    let globals: HashMap<&str, &Global> =
        program.iter().flat_map(|module| &module.globals).map(|g| (g.name.as_str(), g)).collect();
    let longest_name = program
        .iter()
        .flat_map(|module| module.types.iter().flatten())
        .flat_map(|c| std::iter::once(&c.name).chain(&c.fields))
        .map(|name| name.len() as u64)
        .max()
        .unwrap_or(0);
    let global = globals.get(procedure).ok_or_else(|| format!("there is no function {procedure}"))?;
    if params.len() != global.arity as usize {
        return Err(format!("{procedure} takes {} parameters, not {}", global.arity, params.len()));
    }
    let mut walk = Walk {
        globals: &globals,
        memo: HashMap::default(),
        active: Vec::new(),
        budget: WALK_BUDGET,
        show_factor: SHOW_WORDS_PER_WORD.max((longest_name + 16).div_ceil(8) + 1),
        called,
    };
    let result = walk.call(global, params)?;
    Ok(Found { helper_words: result.work.words, allocated: result.work.allocated, result: result.shape.total })
}

/// What computing a value costs along its dearest path.
#[derive(Clone, Debug, Default)]
struct Cost {
    /// Words the size-dependent helpers touch.
    words: Poly,
    /// Words allocated in regions.
    allocated: Poly,
}

impl Cost {
    fn zero() -> Cost {
        Cost::default()
    }

    /// A helper that touches `words` words.
    fn reads(words: Poly) -> Cost {
        Cost { words, allocated: Poly::zero() }
    }

    /// Building an object of `words` words in a region.
    fn builds(words: Poly) -> Cost {
        Cost { words: Poly::zero(), allocated: words }
    }

    fn add(&self, other: &Cost) -> Cost {
        Cost { words: self.words.add(&other.words), allocated: self.allocated.add(&other.allocated) }
    }

    fn max(&self, other: &Cost) -> Cost {
        Cost { words: self.words.max(&other.words), allocated: self.allocated.max(&other.allocated) }
    }
}

/// A value and what computing it cost.
#[derive(Clone, Debug)]
struct Eval {
    shape: Shape,
    work: Cost,
}

impl Eval {
    fn of(shape: Shape) -> Eval {
        Eval { shape, work: Cost::zero() }
    }
}

struct Walk<'p> {
    globals: &'p HashMap<&'p str, &'p Global>,
    /// Calls already walked, by function and argument shapes.
    memo: HashMap<(&'p str, Vec<Shape>), Eval>,
    /// The functions being walked, innermost last.
    active: Vec<&'p str>,
    budget: usize,
    /// Words of `Prim.show`'s text per word of the value shown.
    show_factor: u64,
    /// The words of each result of another contract's procedure.
    called: &'p HashMap<String, Result<Poly, String>>,
}

impl<'p> Walk<'p> {
    fn call(&mut self, global: &'p Global, args: Vec<Shape>) -> Result<Eval, String> {
        let key = (global.name.as_str(), args);
        if let Some(known) = self.memo.get(&key) {
            return Ok(known.clone());
        }
        if self.active.contains(&key.0) {
            return Err(format!("`{}` may call itself", key.0));
        }
        self.budget = self.budget.checked_sub(1).ok_or("the program is too large to bound")?;
        let mut frame = vec![Shape::constant(0); (global.frame_size as usize).max(key.1.len())];
        frame[..key.1.len()].clone_from_slice(&key.1);
        self.active.push(key.0);
        let result = self.expr(&global.body, &mut frame);
        self.active.pop();
        let result = result?;
        self.memo.insert(key, result.clone());
        Ok(result)
    }

    /// The values of `exprs` in order, and their work in all.
    fn all(&mut self, exprs: &'p [Expr], frame: &mut Vec<Shape>) -> Result<(Vec<Shape>, Cost), String> {
        let mut shapes = Vec::with_capacity(exprs.len());
        let mut work = Cost::zero();
        for expr in exprs {
            let eval = self.expr(expr, frame)?;
            work = work.add(&eval.work);
            shapes.push(eval.shape);
        }
        Ok((shapes, work))
    }

    /// `expr`'s value and what computing it costs.
    fn expr(&mut self, expr: &'p Expr, frame: &mut Vec<Shape>) -> Result<Eval, String> {
        let pair =
            |this: &mut Self, a: &'p Expr, b: &'p Expr, frame: &mut Vec<Shape>| -> Result<(Eval, Eval), String> {
                Ok((this.expr(a, frame)?, this.expr(b, frame)?))
            };
        Ok(match expr {
            Expr::Lit(lit) => Eval::of(Shape::whole(literal(lit))),
            Expr::Local(slot) => Eval::of(frame.get(*slot as usize).cloned().unwrap_or_else(|| Shape::constant(0))),
            Expr::Global(name) => {
                let global = self.global(name)?;
                if global.arity == 0 { self.call(global, Vec::new())? } else { Eval::of(Shape::constant(OBJECT_WORDS)) }
            }
            Expr::Prim(prim) => Eval::of(Shape::constant(if prim.arity() == 0 { 1 } else { OBJECT_WORDS })),
            Expr::Constructor(c) => Eval::of(Shape::constant(if c.arity == 0 { 1 } else { OBJECT_WORDS })),
            Expr::Apply(function, args, _) => {
                let (shapes, work) = self.all(args, frame)?;
                let applied = self.apply(function, shapes)?;
                Eval { shape: applied.shape, work: applied.work.add(&work) }
            }
            Expr::Lambda(lambda) => {
                let captured = lambda.captures.iter().fold(Poly::constant(OBJECT_WORDS + 1), |total, (outer, _)| {
                    let shape = frame.get(*outer as usize).map_or(Poly::zero(), |s| s.total.clone());
                    total.add(&shape).plus(1)
                });
                let object = Poly::constant(OBJECT_WORDS + 1 + lambda.captures.len() as u64);
                Eval { shape: Shape::whole(captured), work: Cost::builds(object) }
            }
            Expr::Let(slot, value, body) => {
                let value = self.expr(value, frame)?;
                set_slot(frame, *slot, value.shape);
                let body = self.expr(body, frame)?;
                Eval { shape: body.shape, work: body.work.add(&value.work) }
            }
            Expr::LetRec(..) => return Err(format!("`{}` defines a recursive local function", self.current())),
            Expr::If(condition, then, otherwise) => {
                let condition = self.expr(condition, frame)?;
                let (then, otherwise) = pair(self, then, otherwise, frame)?;
                Eval {
                    shape: then.shape.max(&otherwise.shape),
                    work: condition.work.add(&then.work.max(&otherwise.work)),
                }
            }
            Expr::Match(matching) => self.matching(matching, frame)?,
            Expr::Arith(_, _, a, b, _) | Expr::Pow(_, a, b, _) => {
                let (a, b) = pair(self, a, b, frame)?;
                let big = Cost::builds(Poly::constant(NUMBER_WORDS));
                Eval { shape: Shape::constant(NUMBER_WORDS), work: a.work.add(&b.work).add(&big) }
            }
            Expr::Neg(_, a, _) => {
                let big = Cost::builds(Poly::constant(NUMBER_WORDS));
                Eval { shape: Shape::constant(NUMBER_WORDS), work: self.expr(a, frame)?.work.add(&big) }
            }
            Expr::Compare(_, a, b, _) => {
                let (a, b) = pair(self, a, b, frame)?;
                // The helper reads both operands.
                let reads = a.shape.total.add(&b.shape.total).plus(4);
                Eval { shape: Shape::constant(1), work: a.work.add(&b.work).add(&Cost::reads(reads)) }
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                let (a, b) = pair(self, a, b, frame)?;
                Eval { shape: Shape::constant(1), work: a.work.add(&b.work) }
            }
            Expr::Not(a) => Eval { shape: Shape::constant(1), work: self.expr(a, frame)?.work },
            Expr::Concat(a, b) => {
                let (a, b) = pair(self, a, b, frame)?;
                let result = a.shape.total.add(&b.shape.total);
                let helper = Cost { words: result.add(&result).add(&built(&result)), allocated: result.clone() };
                Eval { shape: Shape::whole(result), work: a.work.add(&b.work).add(&helper) }
            }
            Expr::Cons(head, tail) => {
                let (head, tail) = pair(self, head, tail, frame)?;
                let total = head.shape.total.add(&tail.shape.total).plus(CONS_WORDS);
                let cell = Cost::builds(Poly::constant(CONS_WORDS));
                Eval { shape: Shape::whole(total), work: head.work.add(&tail.work).add(&cell) }
            }
            Expr::List(items) => {
                let (shapes, work) = self.all(items, frame)?;
                let total = shapes.iter().fold(Poly::constant(1), |sum, s| sum.add(&s.total).plus(CONS_WORDS));
                let cells = Cost::builds(Poly::constant(CONS_WORDS * shapes.len() as u64));
                Eval { shape: Shape::whole(total), work: work.add(&cells) }
            }
            Expr::Tuple(items) if items.is_empty() => Eval::of(Shape::constant(1)),
            Expr::Tuple(items) => {
                let (shapes, work) = self.all(items, frame)?;
                let object = Cost::builds(Poly::constant(OBJECT_WORDS + shapes.len() as u64));
                Eval { shape: Shape::object(shapes), work: work.add(&object) }
            }
            Expr::Field(record, index) => {
                let record = self.expr(record, frame)?;
                Eval { shape: record.shape.part(*index), work: record.work }
            }
            Expr::Update(record, updates, _) => {
                let record = self.expr(record, frame)?;
                // The copy: its header and field words, or at most the record.
                let copy = match record.shape.parts.as_deref() {
                    Some(parts) => Poly::constant(OBJECT_WORDS + parts.len() as u64),
                    None => record.shape.total.clone(),
                };
                let mut work = record.work.add(&Cost::builds(copy));
                let mut shape = record.shape;
                for (index, value) in updates {
                    let value = self.expr(value, frame)?;
                    work = work.add(&value.work);
                    shape = match shape.parts.as_deref() {
                        Some(parts) if (*index as usize) < parts.len() => {
                            let mut parts = parts.clone();
                            parts[*index as usize] = value.shape;
                            Shape::object(parts)
                        }
                        _ => Shape::whole(shape.total.add(&value.shape.total)),
                    };
                }
                Eval { shape, work }
            }
        })
    }

    fn apply(&mut self, function: &'p Expr, args: Vec<Shape>) -> Result<Eval, String> {
        let arity = args.len() as u32;
        let object = Cost::builds(Poly::constant(OBJECT_WORDS + 1 + u64::from(arity)));
        match function {
            Expr::Global(name) => {
                let global = self.global(name)?;
                if global.arity == arity {
                    self.call(global, args)
                } else if global.arity > arity {
                    // A partial application: a closure of the arguments so far.
                    let total = args.iter().fold(Poly::constant(OBJECT_WORDS + 1), |sum, a| sum.add(&a.total).plus(1));
                    Ok(Eval { shape: Shape::whole(total), work: object })
                } else {
                    Err(format!("`{}` applies the function that `{name}` returns", self.current()))
                }
            }
            Expr::Prim(prim) if prim.arity() == arity => {
                let result = match prim {
                    // Made only as the whole body of a called procedure's stub.
                    Prim::CallContract => match self.called.get(self.current()) {
                        Some(bound) => bound.clone()?,
                        None => return Err(format!("`{}` calls another contract unknown here", self.current())),
                    },
                    _ => self.primitive(*prim, &args),
                };
                // The helper decodes its operands and builds its result.
                let reads = args.iter().fold(Poly::zero(), |sum, a| sum.add(&a.total));
                let work = Cost { words: reads.add(&result).add(&built(&result)), allocated: result.clone() };
                Ok(Eval { shape: Shape::whole(result), work })
            }
            Expr::Constructor(c) if c.arity == arity => Ok(Eval { shape: Shape::object(args), work: object }),
            _ => Err(format!("`{}` calls a function value, whose cost is not known here", self.current())),
        }
    }

    /// The words of a primitive's result, from its arguments'.
    fn primitive(&self, prim: Prim, args: &[Shape]) -> Poly {
        let first = args.first().map_or(Poly::zero(), |a| a.total.clone());
        match prim {
            // The text of a value: a word of it shows as at most a number,
            // six bytes a string byte, or a field's name with its punctuation.
            Prim::Show => first.scale(self.show_factor).plus(4),
            // A string of k bytes takes at least k/8 words, its characters'
            // list four words a character.
            Prim::Chars => first.scale(32).plus(1),
            Prim::FromChars => first.plus(3),
            Prim::Abort => Poly::zero(),
            // Bounded by `Walk::called`, where `apply` meets it.
            Prim::CallContract => Poly::zero(),
            Prim::Infinity | Prim::Nan => Poly::constant(1),
            Prim::Sqrt
            | Prim::Scale
            | Prim::Exponent
            | Prim::Floor
            | Prim::RealOfInt
            | Prim::RealOfNat
            | Prim::IntOfNat
            | Prim::NatOfInt
            | Prim::IsNan
            | Prim::Length
            | Prim::Code
            | Prim::FromCode => Poly::constant(NUMBER_WORDS),
        }
    }

    fn matching(&mut self, matching: &'p Match, frame: &mut Vec<Shape>) -> Result<Eval, String> {
        // A function's rules match the tuple of its parameters, which is
        // never built: its components are what the arms take apart.
        let scrutinee = match &matching.scrutinee {
            Expr::Tuple(items) if !items.is_empty() => {
                let (shapes, work) = self.all(items, frame)?;
                Eval { shape: Shape::object(shapes), work }
            }
            scrutinee => self.expr(scrutinee, frame)?,
        };
        // The worst path tests every arm's literals, then runs the dearest
        // arm, or fails to match and reads the scrutinee for the error.
        let mut tests = Cost::zero();
        let (mut shape, mut arms_work) = match matching.otherwise {
            Otherwise::ReturnScrutinee => (Some(scrutinee.shape.clone()), Cost::zero()),
            Otherwise::Abort => (None, Cost::reads(scrutinee.shape.total.plus(4))),
        };
        for (pattern, arm) in &matching.arms {
            tests = tests.add(&Cost::reads(bind(pattern, &scrutinee.shape, frame)));
            let arm = self.expr(arm, frame)?;
            arms_work = arms_work.max(&arm.work);
            shape = Some(match shape {
                Some(shape) => shape.max(&arm.shape),
                None => arm.shape,
            });
        }
        Ok(Eval {
            shape: shape.unwrap_or_else(|| Shape::constant(0)),
            work: scrutinee.work.add(&tests).add(&arms_work),
        })
    }

    fn global(&self, name: &str) -> Result<&'p Global, String> {
        self.globals.get(name).copied().ok_or_else(|| format!("there is no function {name}"))
    }

    fn current(&self) -> &'p str {
        self.active.last().copied().unwrap_or("?")
    }
}

/// The region bookkeeping of building a result of `words` words.
fn built(words: &Poly) -> Poly {
    words.scale(BUILD_WORDS_PER_WORD).plus(BUILD_WORDS_FIXED)
}

/// Binds every slot of `pattern` to its part of a value of `shape`, and
/// returns the words its literal tests may read (a literal too big for a
/// word is compared by the comparison helper).
fn bind(pattern: &Pattern, shape: &Shape, frame: &mut Vec<Shape>) -> Poly {
    match pattern {
        Pattern::Wildcard | Pattern::Nil => Poly::zero(),
        Pattern::Lit(lit) => shape.total.add(&literal(lit)).plus(4),
        Pattern::Bind(slot) => {
            set_slot(frame, *slot, shape.clone());
            Poly::zero()
        }
        Pattern::Constructor(_, parts) | Pattern::Tuple(parts) => {
            let known = shape.parts.as_ref().filter(|known| known.len() == parts.len());
            parts
                .iter()
                .enumerate()
                .map(|(index, part)| match known {
                    Some(known) => bind(part, &known[index], frame),
                    None => bind(part, &Shape::whole(shape.total.clone()), frame),
                })
                .fold(Poly::zero(), |sum, words| sum.add(&words))
        }
        Pattern::Cons(head, tail) => {
            let whole = Shape::whole(shape.total.clone());
            bind(head, &whole, frame).add(&bind(tail, &whole, frame))
        }
    }
}

fn set_slot(frame: &mut Vec<Shape>, slot: u32, shape: Shape) {
    let slot = slot as usize;
    if frame.len() <= slot {
        frame.resize(slot + 1, Shape::constant(0));
    }
    frame[slot] = shape;
}

fn literal(lit: &Lit) -> Poly {
    match lit {
        Lit::Nat(_) | Lit::Int(_) | Lit::Dyn(_) | Lit::PendingInt(..) => Poly::constant(NUMBER_WORDS),
        Lit::Str(text) => Poly::constant(OBJECT_WORDS + (text.len() as u64).div_ceil(8)),
        // It may still become a string of one character.
        Lit::PendingChar(..) => Poly::constant(OBJECT_WORDS + 1),
        _ => Poly::constant(1),
    }
}
