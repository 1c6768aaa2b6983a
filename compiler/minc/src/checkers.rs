//! The stateless checker of each contract procedure (`spec/contracts.md`),
//! added to the module before it is lowered so that the Wasm module
//! exports it beside the procedure.
//!
//! For a procedure `p` of `n` parameters, its checker `p$check` takes the
//! same `n` arguments and the result a client claims, and says whether the
//! claim is what `p` makes of those arguments:
//!
//! ```text
//! p$check x1 … xn claimed = p x1 … xn == claimed
//! ```
//!
//! The comparison is the language's structural equality, so every output
//! object, returned value and logged event is compared field by field. A
//! procedure that aborts on the arguments accepts no claim: its checker
//! aborts too, and the runtime reads that as a refusal.

use min_core::{CmpOp, Expr, Global, Module, Slot, Ty};
use std::sync::Arc;

/// The suffix that makes a procedure's name its checker's.
pub const CHECKER_SUFFIX: &str = "$check";

/// The name of the checker of the procedure called `procedure`.
pub fn checker_name(procedure: &str) -> String {
    format!("{procedure}{CHECKER_SUFFIX}")
}

/// Adds to `module` the checker of the procedure `procedure` (a global of
/// the module) of `parameters` parameters, and returns its name; `None`
/// when the module has no such global or its type has fewer parameters.
pub fn add_checker(module: &mut Module, procedure: &str, parameters: usize) -> Option<String> {
    let global = module.globals.iter().find(|global| global.name == procedure)?;
    let (params, result) = split_type(&global.ty, parameters)?;
    let arity = u32::try_from(parameters + 1).ok()?;
    let span = global.span;
    let arguments: Vec<Expr> = (0..arity - 1).map(Expr::Local).collect();
    let computed = if arguments.is_empty() {
        Expr::Global(procedure.to_string())
    } else {
        Expr::Apply(Box::new(Expr::Global(procedure.to_string())), arguments, span)
    };
    let body = Expr::Compare(CmpOp::Eq, Box::new(computed), Box::new(Expr::Local(arity - 1)), span);
    let mut slots: Vec<Slot> = params
        .iter()
        .enumerate()
        .map(|(index, ty)| Slot { name: Arc::from(format!("x{}", index + 1)), ty: (*ty).clone(), linear: false })
        .collect();
    slots.push(Slot { name: Arc::from("claimed"), ty: result.clone(), linear: false });
    let ty = params.iter().rev().fold(Ty::Fun(Box::new(result.clone()), Box::new(Ty::Bool)), |ty, param| {
        Ty::Fun(Box::new((*param).clone()), Box::new(ty))
    });
    let name = checker_name(procedure);
    module.globals.push(Global { name: name.clone(), arity, frame_size: arity, body, span, ty, slots });
    Some(name)
}

/// The first `count` parameter types of `ty` and the type of what is left.
fn split_type(ty: &Ty, count: usize) -> Option<(Vec<&Ty>, &Ty)> {
    let mut params = Vec::with_capacity(count);
    let mut rest = ty;
    while params.len() < count {
        let Ty::Fun(param, result) = rest else { return None };
        params.push(&**param);
        rest = result;
    }
    Some((params, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use min_diagnostics::Span;

    fn module_with(ty: Ty) -> Module {
        Module {
            name: "m".into(),
            globals: vec![Global {
                name: "m.p".into(),
                arity: 2,
                frame_size: 2,
                body: Expr::Local(1),
                span: Span::default(),
                ty,
                slots: Vec::new(),
            }],
            ..Module::default()
        }
    }

    fn fun(a: Ty, b: Ty) -> Ty {
        Ty::Fun(Box::new(a), Box::new(b))
    }

    #[test]
    fn the_checker_compares_the_procedures_result_with_the_claim() {
        let mut module = module_with(fun(Ty::Nat, fun(Ty::Str, Ty::Str)));
        assert_eq!(add_checker(&mut module, "m.p", 2).as_deref(), Some("m.p$check"));
        let checker = &module.globals[1];
        assert_eq!(checker.arity, 3);
        assert_eq!(checker.ty, fun(Ty::Nat, fun(Ty::Str, fun(Ty::Str, Ty::Bool))));
        let Expr::Compare(CmpOp::Eq, computed, claimed, _) = &checker.body else { panic!("{:?}", checker.body) };
        assert_eq!(**claimed, Expr::Local(2));
        let Expr::Apply(function, arguments, _) = &**computed else { panic!("{computed:?}") };
        assert_eq!(**function, Expr::Global("m.p".into()));
        assert_eq!(arguments, &vec![Expr::Local(0), Expr::Local(1)]);
    }

    #[test]
    fn no_checker_for_a_missing_procedure_or_a_type_too_short() {
        let mut module = module_with(fun(Ty::Nat, Ty::Nat));
        assert_eq!(add_checker(&mut module, "m.q", 1), None);
        assert_eq!(add_checker(&mut module, "m.p", 2), None);
        assert_eq!(module.globals.len(), 1);
    }
}
