//! Contract procedures: the definitions marked `procedure`, which
//! transactions call. What each parameter and result is for the chain
//! follows from its type (`spec/contracts.md`): objects of the contract are
//! consumed inputs and created outputs, anything else is a parameter the
//! transaction carries or a value it returns; events in the result (a
//! component of an `event` type, or a list of them) are logged, and a
//! `Ref T` parameter is an object read, not consumed. This is
//! the procedure's dependency set, which the chain uses to route a
//! transaction before it runs.

use super::Checker;
use crate::interface::{Procedure, TypeKind};
use crate::types::{Con, Type, TypePrinter};
use min_diagnostics::{Diagnostic, codes};
use min_syntax::ast;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

impl Checker {
    /// Checks the module's procedures and describes each one's transaction.
    pub(crate) fn procedures(
        &mut self,
        defs: &[ast::Def],
        calls: &HashMap<String, BTreeSet<String>>,
    ) -> Vec<Procedure> {
        let mut procedures = Vec::new();
        for def in defs.iter().filter(|def| def.procedure) {
            if def.signature.is_none() {
                self.error(
                    Diagnostic::error(codes::E0601, def.name.span, format!("the procedure `{}` has no signature", def.name.text))
                        .with_help(format!(
                            "a procedure's type is its public interface: write `procedure {} : …` with its parameter and result types",
                            def.name.text
                        )),
                );
                continue;
            }
            let Some(entry) = self.env.globals.get(&def.name.text) else { continue };
            let (qualified, ty) = (entry.qualified.clone(), self.u.resolve(&entry.scheme.ty));
            let (params, result) = ty.parameters_and_result();
            let results: Vec<&Type> = match result {
                Type::App(Con::Tuple(n), items) if *n > 0 => items.iter().collect(),
                Type::App(Con::Tuple(0), _) => Vec::new(),
                other => vec![other],
            };
            // The definitions of other contracts it may use that handle
            // their objects: a procedure is a call between contracts,
            // anything else is `E0605` already, and either way those
            // contracts' objects may pass through without a second error.
            let used: Vec<String> = calls.get(&qualified).into_iter().flatten().cloned().collect();
            let called = used.iter().filter(|name| self.is_foreign_procedure(name)).cloned().collect();
            let mut procedure = Procedure { name: qualified, calls: called, ..Procedure::default() };
            let mut valid = true;
            let at = def.signature.as_ref().map_or(def.name.span, |signature| signature.span);
            for (ty, is_param) in params.iter().map(|ty| (*ty, true)).chain(results.iter().map(|ty| (*ty, false))) {
                let shown = || TypePrinter::default().show(ty);
                if let Some(problem) = self.not_transaction_data(ty) {
                    let shown = shown();
                    self.error(
                        Diagnostic::error(
                            codes::E0602,
                            at,
                            format!("the procedure `{}` has `{shown}` in its type, {problem}", def.name.text),
                        )
                        .with_help("a procedure's parameters and results are concrete data: objects, numbers, strings, records and lists of them"),
                    );
                    valid = false;
                    continue;
                }
                if let Some(problem) = self.misplaced_reference(ty, is_param) {
                    self.error(
                        Diagnostic::error(codes::E0808, at, format!("the procedure `{}` {problem}", def.name.text))
                            .with_help("a reference input is a parameter `Ref T` for an object type `T` of this contract: the transaction names the object, and the procedure reads its fields"),
                    );
                    valid = false;
                    continue;
                }
                if is_param && let Some(object) = crate::interface::referenced(ty) {
                    procedure.references.push(object.clone());
                    continue;
                }
                if let Some(owner) = self.foreign_object(ty, &used) {
                    let shown = shown();
                    self.error(
                        Diagnostic::error(
                            codes::E0603,
                            at,
                            format!(
                                "the procedure `{}` would {} `{shown}`, an object of module `{owner}`'s contract",
                                def.name.text,
                                if is_param { "consume" } else { "create" }
                            ),
                        )
                        .with_help(format!(
                            "only `{owner}`'s procedures consume and create its objects: pass it to one of them, or take it from one"
                        )),
                    );
                    valid = false;
                    break;
                }
                if let Some(asset) = self.loose_asset(ty) {
                    let shown = shown();
                    let what = if shown == asset {
                        format!("the asset `{asset}`")
                    } else {
                        format!("`{shown}`, which holds the asset `{asset}`,")
                    };
                    self.error(
                        Diagnostic::error(
                            codes::E0805,
                            at,
                            format!(
                                "the procedure `{}` would {} {what} outside any object",
                                def.name.text,
                                if is_param { "take" } else { "return" }
                            ),
                        )
                        .with_help(format!(
                            "a transaction's parameters and return values are plain bytes anyone can write; keep `{asset}` inside an `object`, which the chain stores and only this contract changes"
                        )),
                    );
                    valid = false;
                    continue;
                }
                let once = if !is_param {
                    None
                } else if crate::interface::is_signer(ty) {
                    let help =
                        "a transaction has one signer: take one `Signer` and compare its `address` with each authority";
                    Some(("Signer", &mut procedure.signer, help))
                } else if crate::interface::is_time(ty) {
                    Some(("Time", &mut procedure.timed, "a transaction runs in one block: take one `Time`"))
                } else {
                    None
                };
                if let Some((name, taken, help)) = once {
                    if *taken {
                        let message = format!("the procedure `{}` takes more than one `{name}`", def.name.text);
                        self.error(Diagnostic::error(codes::E0804, at, message).with_help(help));
                        valid = false;
                    }
                    *taken = true;
                    continue;
                }
                if is_param && let Some(given) = super::chain_given::chain_given_in(ty) {
                    let name = given.short_name();
                    self.error(
                        Diagnostic::error(
                            codes::E0809,
                            at,
                            format!(
                                "the procedure `{}` takes `{}`, whose `{name}` the sender would choose",
                                def.name.text,
                                shown()
                            ),
                        )
                        .with_help(format!(
                            "only the chain gives a `{name}`: take it as a parameter of its own, `{name}`"
                        )),
                    );
                    valid = false;
                    continue;
                }
                if let Some(event) = self.event_in(ty) {
                    if is_param || !self.is_event_component(ty) {
                        let shown = shown();
                        let place = if is_param { "takes" } else { "returns" };
                        let what = if shown == event {
                            format!("the event `{event}`")
                        } else {
                            format!("`{shown}`, which holds the event `{event}`")
                        };
                        self.error(
                            Diagnostic::error(
                                codes::E0604,
                                at,
                                format!("the procedure `{}` {place} {what}", def.name.text),
                            )
                            .with_help(format!(
                                "events only leave a procedure: make `{event}` or `[{event}]` a component of its result, and the chain logs them"
                            )),
                        );
                        valid = false;
                        continue;
                    }
                    procedure.events.push(ty.clone());
                    continue;
                }
                let object = self.holds_object(ty);
                match (is_param, object) {
                    (true, true) => procedure.inputs.push(ty.clone()),
                    (true, false) => procedure.params.push(ty.clone()),
                    (false, true) => procedure.outputs.push(ty.clone()),
                    (false, false) => procedure.returns.push(ty.clone()),
                }
            }
            if valid {
                procedures.push(procedure);
            }
        }
        procedures
    }

    /// Why a `Ref` in `ty`, a parameter's type (`is_param`) or a result
    /// component's, is not a reference input the chain can give.
    fn misplaced_reference(&self, ty: &Type, is_param: bool) -> Option<String> {
        let shown = || TypePrinter::default().show(ty);
        if !is_param {
            return mentions_reference(ty).then(|| format!("returns `{}`: a reference input is only read", shown()));
        }
        let Some(object) = crate::interface::referenced(ty) else {
            return mentions_reference(ty)
                .then(|| format!("takes `{}`: a reference input is a parameter of its own, `Ref T`", shown()));
        };
        let own_object = matches!(object, Type::App(Con::Adt(name), _) if self.adt_by_qualified(name).is_some_and(|adt| adt.kind == TypeKind::Object && adt.module() == self.env.module));
        (!own_object).then(|| {
            format!(
                "takes `{}`: `Ref` reads an object of this contract, and `{}` is not one",
                shown(),
                TypePrinter::default().show(object)
            )
        })
    }

    /// A linear type in `ty` that is not an object (an asset, or data
    /// holding one), which a transaction could only carry as forgeable bytes.
    fn loose_asset(&self, ty: &Type) -> Option<String> {
        let Type::App(con, args) = ty else { return None };
        if let Con::Adt(name) = con
            && self.linear_types.contains(name)
        {
            return match self.adt_by_qualified(name) {
                Some(adt) if adt.kind == TypeKind::Object => None,
                _ => Some(crate::types::short_name(name).to_string()),
            };
        }
        args.iter().find_map(|arg| self.loose_asset(arg))
    }

    /// Why values of `ty` cannot travel in a transaction, if they cannot.
    fn not_transaction_data(&self, ty: &Type) -> Option<&'static str> {
        match ty {
            Type::Fun(..) => Some("a function"),
            Type::Var(_) | Type::Gen(_) | Type::App(Con::Rigid(_), _) => Some("a type variable"),
            Type::App(_, args) => args.iter().find_map(|arg| self.not_transaction_data(arg)),
        }
    }

    /// The short name of an event type in `ty`, if it holds one.
    fn event_in(&self, ty: &Type) -> Option<String> {
        let Type::App(con, args) = ty else { return None };
        if let Con::Adt(name) = con
            && self.adt_by_qualified(name).is_some_and(|adt| adt.kind == TypeKind::Event)
        {
            return Some(crate::types::short_name(name).to_string());
        }
        args.iter().find_map(|arg| self.event_in(arg))
    }

    /// Whether `ty` is an event type, or a list of one, whose fields hold no event.
    fn is_event_component(&self, ty: &Type) -> bool {
        match ty {
            Type::App(Con::List, items) => items.len() == 1 && self.is_event_component(&items[0]),
            Type::App(Con::Adt(name), args) => {
                self.adt_by_qualified(name).is_some_and(|adt| adt.kind == TypeKind::Event)
                    && args.iter().all(|arg| self.event_in(arg).is_none())
            }
            _ => false,
        }
    }

    /// The module owning an object type in `ty` that is not this module's
    /// and none of whose definitions the procedure uses (`used`): the
    /// procedure could neither hand such an object on nor get one.
    fn foreign_object(&self, ty: &Type, used: &[String]) -> Option<String> {
        let Type::App(con, args) = ty else { return None };
        if let Con::Adt(name) = con
            && let Some(adt) = self.adt_by_qualified(name)
            && adt.kind == TypeKind::Object
            && adt.module() != self.env.module
            && !self.reached_contracts(used).contains(adt.module())
        {
            return Some(adt.module().to_string());
        }
        args.iter().find_map(|arg| self.foreign_object(arg, used))
    }

    /// Whether `ty` is, or holds, an object: of this module's contract, or
    /// of one whose procedures the procedure calls.
    fn holds_object(&self, ty: &Type) -> bool {
        let Type::App(con, args) = ty else { return false };
        let object = matches!(con, Con::Adt(name) if self.adt_by_qualified(name).is_some_and(|adt| adt.kind == TypeKind::Object));
        object || args.iter().any(|arg| self.holds_object(arg))
    }
}

/// Whether `ty` is or holds a `Ref`.
fn mentions_reference(ty: &Type) -> bool {
    match ty {
        Type::App(_, args) => crate::interface::referenced(ty).is_some() || args.iter().any(mentions_reference),
        Type::Fun(from, to) => mentions_reference(from) || mentions_reference(to),
        Type::Var(_) | Type::Gen(_) => false,
    }
}
