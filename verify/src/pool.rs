//! Queries solved on a pool of threads, each with its own Z3 context (the
//! query travels as text, see [`query`](crate::query)). Answers in the
//! cache are not solved again; identical queries in one batch are solved
//! once. The answers come back in the order of the queries, whatever order
//! the threads finish in.

use crate::answer::{self, Answer};
use crate::cache::Cache;
use crate::query::Query;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// The stack of a solver thread: Z3 recurses over deep terms.
const SOLVER_STACK_BYTES: usize = 64 << 20;

/// An answer, and whether it came from the cache.
#[derive(Clone, Debug)]
pub(crate) struct Solved {
    /// The answer.
    pub answer: Answer,
    /// Whether the cache held it (no solver call).
    pub cached: bool,
}

/// How a run solves: its cache, its threads, its progress.
pub(crate) struct Pool<'r> {
    /// The cache, unless disabled.
    pub cache: Option<Cache>,
    /// How many threads solve at once (at least one).
    pub jobs: usize,
    /// Told `(done, total)` after each query of a batch.
    pub progress: &'r dyn Fn(usize, usize),
    /// The counts so far.
    pub stats: Stats,
    /// The answers of this run so far, by key (callee proofs repeat
    /// queries from one round to the next).
    pub answered: HashMap<String, Answer>,
}

/// How many queries a run asked and how they were answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Distinct queries asked, batch by batch (callee proofs and vacuity
    /// checks included).
    pub queries: usize,
    /// Answered from the cache.
    pub cached: usize,
    /// Answered by the solver.
    pub solved: usize,
    /// Answered by an earlier query of the same run.
    pub repeated: usize,
}

impl Pool<'_> {
    /// The answers to `queries`, in their order.
    pub(crate) fn solve(&mut self, queries: &[Query]) -> Vec<Solved> {
        let keys: Vec<String> = queries.iter().map(Query::key).collect();
        let mut answers: Vec<Option<Solved>> = vec![None; queries.len()];
        // The first query of each key that the cache does not answer.
        let mut first_of_key: HashMap<&str, usize> = HashMap::new();
        let mut pending: Vec<usize> = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            if first_of_key.contains_key(key.as_str()) {
                continue;
            }
            first_of_key.insert(key, index);
            if let Some(answer) = self.answered.get(key) {
                answers[index] = Some(Solved { answer: answer.clone(), cached: false });
                self.stats.repeated += 1;
                continue;
            }
            match self.cache.as_ref().and_then(|cache| cache.get(key)) {
                Some(answer) => answers[index] = Some(Solved { answer, cached: true }),
                None => pending.push(index),
            }
        }
        let total = first_of_key.len();
        let mut done = total - pending.len();
        (self.progress)(done, total);
        self.stats.queries += first_of_key.len();
        self.stats.solved += pending.len();
        let cache = self.cache.as_ref();
        let progress = self.progress;
        for_each_answer(queries, &pending, self.jobs, |index, answer| {
            if let Some(cache) = cache {
                cache.put(&keys[index], &answer);
            }
            answers[index] = Some(Solved { answer, cached: false });
            done += 1;
            progress(done, total);
        });
        // Repeated queries share the answer of their key's first one.
        let all: Vec<Solved> = keys
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let first = first_of_key.get(key.as_str()).copied().unwrap_or(index);
                answers[first].clone().unwrap_or_else(|| Solved {
                    answer: Answer::Unknown { reason: "the solver thread stopped".to_string() },
                    cached: false,
                })
            })
            .collect();
        for (key, &index) in &first_of_key {
            if let Some(solved) = &answers[index] {
                self.stats.cached += usize::from(solved.cached);
                self.answered.insert((*key).to_string(), solved.answer.clone());
            }
        }
        all
    }
}

/// Solves `queries[i]` for each `i` of `pending` on up to `jobs` threads,
/// calling `receive` on this thread with each answer as it arrives.
fn for_each_answer(queries: &[Query], pending: &[usize], jobs: usize, mut receive: impl FnMut(usize, Answer)) {
    if pending.is_empty() {
        return;
    }
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<(usize, Answer)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, pending.len()) {
            let sender = sender.clone();
            let next = &next;
            let worker = move || {
                while let Some(&index) = pending.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if sender.send((index, answer::ask(&queries[index]))).is_err() {
                        return;
                    }
                }
            };
            let spawned = std::thread::Builder::new()
                .name("min-verify-solver".into())
                .stack_size(SOLVER_STACK_BYTES)
                .spawn_scoped(scope, worker);
            if spawned.is_err() {
                // The threads already running answer every query; without
                // any, the queries stay unanswered and come back unknown.
                break;
            }
        }
        drop(sender);
        for (index, answer) in receiver.iter() {
            receive(index, answer);
        }
    });
}

/// The number of threads by default: the machine's cores.
pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
