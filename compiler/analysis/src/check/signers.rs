//! Signers made by contract code (`E0809`). A procedure's `Signer` is the
//! account that signed the transaction, filled in by the chain; every
//! authority check rests on it. A `Signer` that code builds (`{address =
//! …}`), or takes from another module's definition that gives one, could
//! name any account, and a contract could hand it to another contract's
//! procedure as the signer. So the definitions a procedure may run make
//! none; tests, and definitions only tests use, may.

use super::Checker;
use crate::types::{Con, Type};
use min_core::Global;
use min_diagnostics::{Diagnostic, Span, codes};
use rustc_hash::FxHashSet as HashSet;

impl Checker {
    /// Records building a `Signer` outside tests, reported if a procedure
    /// may run it ([`Checker::report_signers_made`]).
    pub(crate) fn check_signer_built(&mut self, span: Span) {
        if self.in_test || self.env.module == "Prelude" {
            return;
        }
        self.signers_made.push(SignerMade { definition: self.lowering.clone(), span, from: None });
    }

    /// Records a use, at `span`, of another module's definition `value`
    /// whose result holds a `Signer`: that module made it, and a procedure
    /// that may run the use would act for whoever it names.
    pub(crate) fn check_signer_imported(&mut self, value: &crate::interface::ValueInfo, span: Span) {
        let module = value.qualified.rsplit_once('.').map_or("", |(module, _)| module);
        if self.in_test || module == self.env.module || module == "Prelude" {
            return;
        }
        let mut result = &value.scheme.ty;
        while let Type::Fun(_, to) = result {
            result = to;
        }
        if holds_signer(result) {
            let from = Some(value.qualified.clone());
            self.signers_made.push(SignerMade { definition: self.lowering.clone(), span, from });
        }
    }

    /// Reports the `Signer`s made in the definitions that the module's
    /// `procedures` may run (`E0809`): only the chain makes a `Signer`, from
    /// the transaction's signature, and a made one would let a contract act
    /// for any account, in the procedures of the contracts it calls above
    /// all. Definitions only tests use may make them.
    pub(crate) fn report_signers_made(&mut self, globals: &[Global], procedures: &[crate::interface::Procedure]) {
        if self.signers_made.is_empty() {
            return;
        }
        let reaches = super::iteration::reachability(globals);
        let mut run: HashSet<&str> = HashSet::default();
        for procedure in procedures {
            run.insert(procedure.name.as_str());
            run.extend(reaches.get(procedure.name.as_str()).into_iter().flatten().copied());
        }
        let made: Vec<SignerMade> = std::mem::take(&mut self.signers_made);
        for signer in made.iter().filter(|signer| run.contains(signer.definition.as_str())) {
            let (message, label) = match &signer.from {
                None => (
                    "only the chain makes a `Signer`: it is the account that signed the transaction".to_owned(),
                    "built here".to_owned(),
                ),
                Some(from) => (
                    format!("only the chain makes a `Signer`, and `{from}` gives one of its own making"),
                    "a `Signer` made elsewhere used here".to_owned(),
                ),
            };
            self.error(
                Diagnostic::error(codes::E0809, signer.span, message).with_span_label(label).with_help(
                    "take a `Signer` parameter in the procedure and pass it on; tests may build one to call procedures off the chain",
                ),
            );
        }
    }
}

/// A `Signer` that a definition makes instead of receiving it from the chain.
pub(crate) struct SignerMade {
    /// The qualified name of the definition.
    pub definition: String,
    /// Where.
    pub span: Span,
    /// The other module's definition that gives it, if it is not built here.
    pub from: Option<String>,
}

/// Whether `ty` holds the prelude's `Signer`.
fn holds_signer(ty: &Type) -> bool {
    match ty {
        Type::App(Con::Adt(name), _) if &**name == crate::interface::SIGNER => true,
        Type::App(_, args) => args.iter().any(holds_signer),
        Type::Fun(from, to) => holds_signer(from) || holds_signer(to),
        Type::Var(_) | Type::Gen(_) => false,
    }
}
