//! A solver query as text: SMT-LIB printed here from the terms, with the
//! declared constants named in order of first use (`min.0`, `min.1`, …)
//! and every term used more than once defined once (`s.0`, …), so that the
//! text depends only on the query's structure, not on the names and ids Z3
//! gave the terms during the run (Z3's own printer names shared terms after
//! their ids and decides what to share by reference counts across the whole
//! context). The text is the query's identity: the cache's key, and what a
//! solver thread parses into its own context.

use std::collections::HashMap;
use z3::ast::{Ast, Bool, Dynamic};
use z3::{AstKind, SortKind};

/// The sort of a declared constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sort {
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// Anything else (never read back into a counterexample).
    Other,
}

/// One query in canonical text.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    /// `declare-fun`, `define-fun` and `assert` commands, nothing else.
    pub text: String,
    /// How many assertions the text holds (to check that it was read whole).
    pub assertions: usize,
    /// The declared constants: canonical name, Z3's own name, sort.
    pub constants: Vec<(String, String, Sort)>,
    /// How long the solver may take, in milliseconds.
    pub timeout_ms: u32,
}

impl Query {
    /// The query asserting every one of `assertions`.
    pub(crate) fn new<'a>(assertions: impl IntoIterator<Item = &'a Bool>, timeout_ms: u32) -> Query {
        let roots: Vec<Dynamic> = assertions.into_iter().map(|b| Dynamic::from_ast(b)).collect();
        let mut printer = Printer::default();
        for root in &roots {
            printer.count(root);
        }
        let mut body = String::new();
        for root in &roots {
            let term = printer.term(root);
            body += &printer.definitions;
            printer.definitions.clear();
            body += &format!("(assert {term})\n");
        }
        let mut text = String::new();
        for (name, _, sort) in &printer.constants {
            let sort = match sort {
                Sort::Int => "Int",
                Sort::Bool => "Bool",
                Sort::Other => "Other",
            };
            text += &format!("(declare-fun {name} () {sort})\n");
        }
        text += &body;
        Query { text, assertions: roots.len(), constants: printer.constants, timeout_ms }
    }

    /// The cache key: a BLAKE3 hash of the verifier's version, the solver's
    /// version, the timeout and the text, in hexadecimal.
    pub(crate) fn key(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(concat!("min-verify ", env!("CARGO_PKG_VERSION"), " cache 1\n").as_bytes());
        hasher.update(z3::full_version().as_bytes());
        hasher.update(format!("\ntimeout {}\n", self.timeout_ms).as_bytes());
        hasher.update(self.text.as_bytes());
        hasher.finalize().to_hex().to_string()
    }

    /// Z3's own name of the canonical constant `canonical`.
    pub(crate) fn original(&self, canonical: &str) -> Option<&str> {
        self.constants.iter().find(|(name, _, _)| name == canonical).map(|(_, original, _)| original.as_str())
    }
}

/// Prints terms as SMT-LIB, sharing what is used more than once.
#[derive(Default)]
struct Printer {
    /// How many times each term occurs in the query (as a child or a root).
    uses: HashMap<Dynamic, u32>,
    /// The names of the terms already defined or declared.
    names: HashMap<Dynamic, String>,
    /// The declared constants, in order of first use.
    constants: Vec<(String, String, Sort)>,
    /// `define-fun` commands not yet written out.
    definitions: String,
    /// How many shared terms are defined.
    shared: usize,
}

impl Printer {
    /// Counts the occurrences of `root` and, the first time, of its subterms.
    fn count(&mut self, root: &Dynamic) {
        let mut stack = vec![root.clone()];
        while let Some(term) = stack.pop() {
            let uses = self.uses.entry(term.clone()).or_insert(0);
            *uses += 1;
            if *uses == 1 && term.is_app() {
                stack.extend(term.children());
            }
        }
    }

    /// The text of `term`: a name if it has one, else its expression.
    fn term(&mut self, term: &Dynamic) -> String {
        if let Some(name) = self.names.get(term) {
            return name.clone();
        }
        if term.kind() == AstKind::Numeral || !term.is_app() {
            return term.to_string();
        }
        let decl = term.decl();
        let children = term.children();
        if children.is_empty() {
            // The only interpreted constants of the verifier's sorts.
            let own = decl.name();
            if own == "true" || own == "false" {
                return own;
            }
            let name = format!("min.{}", self.constants.len());
            let sort = match term.get_sort().kind() {
                SortKind::Int => Sort::Int,
                SortKind::Bool => Sort::Bool,
                _ => Sort::Other,
            };
            self.constants.push((name.clone(), own, sort));
            self.names.insert(term.clone(), name.clone());
            return name;
        }
        let arguments: Vec<String> = children.iter().map(|child| self.term(child)).collect();
        let expression = format!("({} {})", decl.name(), arguments.join(" "));
        if self.uses.get(term).copied().unwrap_or(0) < 2 {
            return expression;
        }
        let name = format!("s.{}", self.shared);
        self.shared += 1;
        let sort = term.get_sort().to_string();
        self.definitions += &format!("(define-fun {name} () {sort} {expression})\n");
        self.names.insert(term.clone(), name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use z3::ast::Int;

    #[test]
    fn fresh_names_are_renamed_in_order_so_equal_queries_have_equal_text() {
        let query = |offset: i64| {
            // Fresh constants made before shift Z3's numbering.
            for _ in 0..offset {
                let _ = Int::fresh_const("nat");
            }
            let x = Int::fresh_const("nat");
            let b = Bool::fresh_const("bool");
            // Terms made in another order get other ids, and Z3's printer
            // names shared terms after their ids.
            let shared = if offset % 2 == 0 {
                let low = x.ge(Int::from_i64(0));
                let high = x.le(Int::from_i64(100));
                Bool::and(&[low, high])
            } else {
                let high = x.le(Int::from_i64(100));
                let low = x.ge(Int::from_i64(0));
                Bool::and(&[low, high])
            };
            let facts = [
                x.ge(Int::from_i64(0)),
                Bool::or(&[b.clone(), x.lt(Int::from_u128(u128::MAX))]),
                Bool::and(&[shared.clone(), shared.not().not()]),
            ];
            Query::new(facts.iter(), 100)
        };
        let (first, second) = (query(0), query(3));
        assert_eq!(first.text, second.text);
        assert_eq!(first.key(), second.key());
        assert_eq!(first.assertions, 3);
        assert!(first.text.contains("min.0") && first.text.contains("min.1"), "{}", first.text);
        assert!(!first.text.contains("nat!"), "{}", first.text);
        assert!(first.text.contains("(define-fun s.0 () Bool"), "the shared term is defined once: {}", first.text);
        let sorts: Vec<Sort> = first.constants.iter().map(|(_, _, sort)| *sort).collect();
        assert!(sorts.contains(&Sort::Int) && sorts.contains(&Sort::Bool), "{:?}", first.constants);
        assert_ne!(first.key(), Query { timeout_ms: 200, ..first.clone() }.key(), "the timeout is part of the key");
    }
}
