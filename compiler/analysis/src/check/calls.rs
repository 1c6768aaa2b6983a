//! Calls between contracts (`spec/contracts.md`): a contract's procedure
//! may call the procedures of a contract it imports, and through them
//! consume and create that contract's objects. The procedures a procedure
//! may call, directly or through the module's functions, are part of its
//! dependency set.
//!
//! A contract sees another only through its procedures: a function of
//! another contract (a module with procedures) whose type holds that
//! contract's objects or assets is that contract's internals (it could
//! build its objects without its rules), so a contract may not use it
//! (`E0605`); tests may.

use super::Checker;
use super::iteration::{callees, reachability};
use crate::interface::{TypeKind, ValueInfo};
use crate::types::{Con, Type};
use min_core::Global;
use min_diagnostics::{Diagnostic, Span, codes};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

/// For each of the module's globals, the definitions of other contracts
/// (qualified names, among `foreign`) it may call, directly or through
/// the module's other globals.
pub(crate) fn contract_calls(globals: &[Global], foreign: &BTreeSet<String>) -> HashMap<String, BTreeSet<String>> {
    let reaches = reachability(globals);
    let direct: HashMap<&str, BTreeSet<&str>> = globals.iter().map(|g| (g.name.as_str(), callees(&g.body))).collect();
    globals
        .iter()
        .map(|global| {
            let reached = reaches.get(global.name.as_str()).into_iter().flatten().copied();
            let calls = std::iter::once(global.name.as_str())
                .chain(reached)
                .flat_map(|name| direct.get(name).into_iter().flatten().copied())
                .filter(|callee| foreign.contains(*callee))
                .map(str::to_string)
                .collect();
            (global.name.clone(), calls)
        })
        .collect()
}

impl Checker {
    /// The definitions of the other contracts this module imports that
    /// handle their objects or assets: their procedures, and the
    /// functions a contract may not use (`E0605`).
    pub(crate) fn foreign_definitions(&self) -> BTreeSet<String> {
        let contracts = self
            .env
            .modules
            .values()
            .filter(|interface| interface.name != self.env.module && !interface.procedures.is_empty());
        let mut found = BTreeSet::new();
        for interface in contracts {
            found.extend(interface.procedures.iter().map(|procedure| procedure.name.clone()));
            let internals = interface
                .values
                .values()
                .filter(|value| self.owned_type_of(&value.scheme.ty, &interface.name).is_some());
            found.extend(internals.map(|value| value.qualified.clone()));
        }
        found
    }

    /// The modules whose objects a procedure that uses the definitions
    /// `used` (of other modules, qualified) may consume and create: theirs,
    /// and those of every contract their procedures call in turn, as each
    /// contract's interface lists them. A procedure may hand a `Gold.Coin`
    /// to `Shop.buy`, which hands it to `Gold.pay`.
    pub(crate) fn reached_contracts<'a>(&'a self, used: &'a [String]) -> BTreeSet<&'a str> {
        let mut reached = BTreeSet::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut pending: Vec<&str> = used.iter().map(String::as_str).collect();
        while let Some(name) = pending.pop() {
            let Some((module, _)) = name.rsplit_once('.') else { continue };
            reached.insert(module);
            if !seen.insert(name) {
                continue;
            }
            let procedure = self
                .env
                .modules
                .get(module)
                .and_then(|interface| interface.procedures.iter().find(|procedure| procedure.name == name));
            pending.extend(procedure.into_iter().flat_map(|procedure| procedure.calls.iter().map(String::as_str)));
        }
        reached
    }

    /// Whether `qualified` names a procedure of another contract.
    pub(crate) fn is_foreign_procedure(&self, qualified: &str) -> bool {
        let Some((module, _)) = qualified.rsplit_once('.') else { return false };
        module != self.env.module
            && self
                .env
                .modules
                .get(module)
                .is_some_and(|interface| interface.procedures.iter().any(|p| p.name == qualified))
    }

    /// Reports a use, at `span`, of `value`, a definition of another
    /// contract that is not one of its procedures and handles that
    /// contract's objects or assets (`E0605`).
    pub(crate) fn check_foreign_definition(&mut self, value: &ValueInfo, span: Span) {
        let Some((module, name)) = value.qualified.rsplit_once('.') else { return };
        if self.in_test || module == self.env.module {
            return;
        }
        let Some(interface) = self.env.modules.get(module) else { return };
        // A module without procedures is a library, not a contract: its
        // functions are how others make and use its assets.
        if interface.procedures.is_empty()
            || interface.procedures.iter().any(|procedure| procedure.name == value.qualified)
        {
            return;
        }
        let Some(owned) = self.owned_type_of(&value.scheme.ty, module) else { return };
        self.error(
            Diagnostic::error(
                codes::E0605,
                span,
                format!("`{module}.{name}` is not a procedure of contract `{module}`, and it handles `{owned}`"),
            )
            .with_span_label("used here")
            .with_help(format!(
                "a contract acts on another's objects and assets only through that contract's procedures: call one of `{module}`'s procedures instead"
            )),
        );
    }

    /// The short name of an object or asset type of `module` in `ty`.
    fn owned_type_of(&self, ty: &Type, module: &str) -> Option<String> {
        match ty {
            Type::App(con, args) => {
                if let Con::Adt(name) = con
                    && let Some(adt) = self.adt_by_qualified(name)
                    && matches!(adt.kind, TypeKind::Object | TypeKind::Asset)
                    && adt.module() == module
                {
                    return Some(crate::types::short_name(name).to_string());
                }
                args.iter().find_map(|arg| self.owned_type_of(arg, module))
            }
            Type::Fun(from, to) => self.owned_type_of(from, module).or_else(|| self.owned_type_of(to, module)),
            Type::Var(_) | Type::Gen(_) => None,
        }
    }
}
