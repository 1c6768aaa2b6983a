//! Values only the chain gives (`E0809`): a procedure's `Signer`, the
//! account that signed the transaction, on which every authority check
//! rests, and its `Time`, the block's time. A `Signer` or a `Time` that
//! code builds (`{address = …}`, `{seconds = …}`), or takes from another
//! module's definition that gives one, could name any account or any
//! moment, and a contract could hand it to another contract's procedure
//! as the real one. So the definitions a procedure may run make none;
//! tests, and definitions only tests use, may.

use super::Checker;
use crate::interface::{SIGNER, TIME};
use crate::types::{Con, Type};
use min_core::Global;
use min_diagnostics::{Diagnostic, Span, codes};
use rustc_hash::FxHashSet as HashSet;

impl Checker {
    /// Records building a value of `ty` outside tests, reported if a
    /// procedure may run it ([`Checker::report_made_up`]).
    pub(crate) fn check_chain_given_built(&mut self, ty: ChainGiven, span: Span) {
        if self.in_test || self.env.module == "Prelude" {
            return;
        }
        self.made_up.push(MadeUp { definition: self.lowering.clone(), span, ty, from: None });
    }

    /// Records a use, at `span`, of another module's definition `value`
    /// whose result holds a `Signer` or a `Time`: that module made it, and
    /// a procedure that may run the use would act for whoever, or
    /// whenever, it names.
    pub(crate) fn check_chain_given_imported(&mut self, value: &crate::interface::ValueInfo, span: Span) {
        let module = value.qualified.rsplit_once('.').map_or("", |(module, _)| module);
        if self.in_test || module == self.env.module || module == "Prelude" {
            return;
        }
        let mut result = &value.scheme.ty;
        while let Type::Fun(_, to) = result {
            result = to;
        }
        if let Some(ty) = chain_given_in(result) {
            let from = Some(value.qualified.clone());
            self.made_up.push(MadeUp { definition: self.lowering.clone(), span, ty, from });
        }
    }

    /// Reports the signers and times made up in the definitions that the
    /// module's `procedures` may run (`E0809`). Definitions only tests use
    /// may make them.
    pub(crate) fn report_made_up(&mut self, globals: &[Global], procedures: &[crate::interface::Procedure]) {
        if self.made_up.is_empty() {
            return;
        }
        let reaches = super::iteration::reachability(globals);
        let mut run: HashSet<&str> = HashSet::default();
        for procedure in procedures {
            run.insert(procedure.name.as_str());
            run.extend(reaches.get(procedure.name.as_str()).into_iter().flatten().copied());
        }
        let made: Vec<MadeUp> = std::mem::take(&mut self.made_up);
        for made in made.iter().filter(|made| run.contains(made.definition.as_str())) {
            let (name, what) = (made.ty.short_name(), made.ty.meaning());
            let (message, label) = match &made.from {
                None => (format!("only the chain makes a `{name}`: it is {what}"), "built here".to_owned()),
                Some(from) => (
                    format!("only the chain makes a `{name}`, and `{from}` gives one of its own making"),
                    format!("a `{name}` made elsewhere used here"),
                ),
            };
            self.error(Diagnostic::error(codes::E0809, made.span, message).with_span_label(label).with_help(format!(
                "take a `{name}` parameter in the procedure and pass it on; tests may build one to call procedures off the chain"
            )));
        }
    }
}

/// A `Signer` or `Time` that a definition makes instead of receiving it
/// from the chain.
pub(crate) struct MadeUp {
    /// The qualified name of the definition.
    pub definition: String,
    /// Where.
    pub span: Span,
    /// What it is.
    pub ty: ChainGiven,
    /// The other module's definition that gives it, if it is not built here.
    pub from: Option<String>,
}

/// A type of values only the chain gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChainGiven {
    /// `Prelude.Signer`.
    Signer,
    /// `Prelude.Time`.
    Time,
}

impl ChainGiven {
    /// The chain-given type named `qualified`, if it is one.
    pub(crate) fn named(qualified: &str) -> Option<ChainGiven> {
        match qualified {
            SIGNER => Some(ChainGiven::Signer),
            TIME => Some(ChainGiven::Time),
            _ => None,
        }
    }

    /// Its name without its module.
    pub(crate) fn short_name(self) -> &'static str {
        match self {
            ChainGiven::Signer => "Signer",
            ChainGiven::Time => "Time",
        }
    }

    /// What a value of it stands for.
    fn meaning(self) -> &'static str {
        match self {
            ChainGiven::Signer => "the account that signed the transaction",
            ChainGiven::Time => "the time of the block that runs the transaction",
        }
    }
}

/// The chain-given type that `ty` holds, if it holds one.
pub(crate) fn chain_given_in(ty: &Type) -> Option<ChainGiven> {
    match ty {
        Type::App(con, args) => {
            let named = match con {
                Con::Adt(name) => ChainGiven::named(name),
                _ => None,
            };
            named.or_else(|| args.iter().find_map(chain_given_in))
        }
        Type::Fun(from, to) => chain_given_in(from).or_else(|| chain_given_in(to)),
        Type::Var(_) | Type::Gen(_) => None,
    }
}
