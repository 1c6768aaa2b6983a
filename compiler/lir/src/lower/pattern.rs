//! Pattern matching: each arm is a block of tests that breaks out to the
//! next arm on the first mismatch, binding slots as it goes.

use min_core::{Lit, Match, Otherwise, Pattern};

use super::function::{FnBuilder, and, eq, field_offset, has_tag, load, or};
use crate::abi::{self, NIL, TAG_ATOM, TAG_PTR};
use crate::regions;
use crate::{BinOp, Expr, Helper, Label, Stmt};

impl FnBuilder<'_, '_> {
    /// A match in tail position.
    pub(crate) fn match_tail(&mut self, matching: &Match) {
        let scrutinee = self.scrutinee(matching, true);
        for (pattern, arm) in &matching.arms {
            let next = self.label();
            let body = self.nested(|builder| {
                builder.test(pattern, scrutinee.clone(), next);
                builder.tail(arm);
            });
            self.emit(Stmt::Block(next, body));
        }
        match matching.otherwise {
            Otherwise::Abort => self.match_failure(matching, scrutinee),
            Otherwise::ReturnScrutinee => self.ret(scrutinee),
        }
    }

    /// A match whose value is used.
    pub(crate) fn match_value(&mut self, matching: &Match, escapes: bool) -> Expr {
        let scrutinee = self.scrutinee(matching, escapes);
        let result = self.var();
        let done = self.label();
        let body = self.nested(|builder| {
            for (pattern, arm) in &matching.arms {
                let next = builder.label();
                let arm_body = builder.nested(|builder| {
                    builder.test(pattern, scrutinee.clone(), next);
                    let value = builder.value(arm, escapes);
                    builder.emit(Stmt::Set(result, value));
                    builder.emit(Stmt::Break(done));
                });
                builder.emit(Stmt::Block(next, arm_body));
            }
            match matching.otherwise {
                Otherwise::Abort => builder.match_failure(matching, scrutinee.clone()),
                Otherwise::ReturnScrutinee => builder.emit(Stmt::Set(result, scrutinee.clone())),
            }
        });
        self.emit(Stmt::Block(done, body));
        Expr::Var(result)
    }

    fn scrutinee(&mut self, matching: &Match, escapes: bool) -> Expr {
        let escapes = regions::scrutinee_escapes(&self.escaping, matching, escapes);
        let value = self.value(&matching.scrutinee, escapes);
        self.temp(value)
    }

    fn match_failure(&mut self, matching: &Match, scrutinee: Expr) {
        let span = self.pb.span(matching.span);
        self.emit(Stmt::Return(Expr::Helper(Helper::MatchFailure, vec![scrutinee, Expr::Const(span)])));
    }

    /// Tests `word` against `pattern`, breaking to `fail` on a mismatch.
    fn test(&mut self, pattern: &Pattern, word: Expr, fail: Label) {
        match pattern {
            Pattern::Wildcard => {}
            Pattern::Bind(slot) => {
                let var = self.slot(*slot);
                self.emit(Stmt::Set(var, word));
            }
            Pattern::Lit(lit) => self.test_literal(lit, word, fail),
            Pattern::Constructor(tag, fields) if fields.is_empty() => {
                let tag_bits = and(word.clone(), Expr::Const(0xFFFF));
                self.require(and(has_tag(word, TAG_ATOM), eq(tag_bits, Expr::Const(u64::from(*tag)))), fail);
            }
            Pattern::Constructor(tag, fields) => {
                self.require(has_tag(word.clone(), TAG_PTR), fail);
                let address = self.untag(word);
                let header_tag = and(
                    Expr::Binary(
                        BinOp::ShrU,
                        Box::new(load(address.clone(), 0)),
                        Box::new(Expr::Const(u64::from(abi::DATA_TAG_SHIFT))),
                    ),
                    Expr::Const(0xFFFF),
                );
                self.require(eq(header_tag, Expr::Const(u64::from(*tag))), fail);
                self.test_fields(fields, &address, fail);
            }
            Pattern::Tuple(fields) => match fields.len() {
                0 => {}
                1 => self.test(&fields[0], word, fail),
                _ => {
                    let address = self.untag(word);
                    self.test_fields(fields, &address, fail);
                }
            },
            Pattern::Nil => self.require(eq(word, Expr::Const(NIL)), fail),
            Pattern::Cons(head, tail) => {
                self.require(has_tag(word.clone(), TAG_PTR), fail);
                let address = self.untag(word);
                self.test_fields(&[(**head).clone(), (**tail).clone()], &address, fail);
            }
        }
    }

    fn test_fields(&mut self, fields: &[Pattern], address: &Expr, fail: Label) {
        for (index, field) in fields.iter().enumerate() {
            if *field == Pattern::Wildcard {
                continue;
            }
            let value = self.temp(load(address.clone(), field_offset(index)));
            self.test(field, value, fail);
        }
    }

    /// Breaks to `fail` unless `condition` holds.
    fn require(&mut self, condition: Expr, fail: Label) {
        self.emit(Stmt::If(condition, Vec::new(), vec![Stmt::Break(fail)]));
    }

    /// A literal pattern, matched as the interpreter does: an integer
    /// literal matches an equal natural, integer, or (in code generic over
    /// numbers) real; a character and a one-character string match each other.
    fn test_literal(&mut self, lit: &Lit, word: Expr, fail: Label) {
        match lit {
            Lit::Nat(n) => self.test_integer(*n as i128, *n > abi::SMALL_NAT_MAX, lit, word, fail),
            Lit::Int(i) | Lit::Dyn(i) => self.test_integer(*i, abi::small_int(*i).is_none(), lit, word, fail),
            Lit::Real(bits) => {
                self.require(eq(word, Expr::Const(abi::real_word(f64::from_bits(*bits)))), fail);
            }
            Lit::Bool(b) => self.require(eq(word, Expr::Const(abi::bool_word(*b))), fail),
            Lit::Unit => {}
            Lit::Char(ch) => {
                let matched = self.label();
                let body = self.nested(|builder| {
                    let is_char = eq(word.clone(), Expr::Const(abi::char_word(*ch)));
                    builder.emit(Stmt::If(is_char, vec![Stmt::Break(matched)], Vec::new()));
                    builder.require(has_tag(word.clone(), TAG_PTR), fail);
                    let equal = builder.string_equal(word.clone(), &ch.to_string());
                    builder.require(equal, fail);
                });
                self.emit(Stmt::Block(matched, body));
            }
            Lit::Str(text) => {
                let equal = self.string_equal(word, text);
                self.require(equal, fail);
            }
            Lit::PendingInt(..) | Lit::PendingChar(..) => self.emit(Stmt::Break(fail)),
        }
    }

    fn test_integer(&mut self, value: i128, big: bool, lit: &Lit, word: Expr, fail: Label) {
        if big {
            let literal = match lit {
                Lit::Nat(n) => Expr::Static(self.pb.big(abi::Kind::BigNat, *n)),
                _ => Expr::Static(self.pb.big(abi::Kind::BigInt, value as u128)),
            };
            let equal = self.structurally_equal(word, literal);
            self.require(equal, fail);
            return;
        }
        let mut matches = eq(word.clone(), Expr::Const(abi::real_word(value as f64)));
        if let Some(nat) = u128::try_from(value).ok().and_then(abi::small_nat) {
            matches = or(matches, eq(word.clone(), Expr::Const(nat)));
        }
        if let Some(int) = abi::small_int(value) {
            matches = or(matches, eq(word, Expr::Const(int)));
        }
        self.require(matches, fail);
    }
}
