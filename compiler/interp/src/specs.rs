//! Checking specification clauses at run time (`minc test`,
//! `spec/verification.md`): a call of a function with clauses evaluates its
//! `requires` on the arguments, its `decreases` measure against the
//! measure of the innermost running call of its recursion group (the same
//! function, or one that calls it back), the body, and
//! its `ensures` on the arguments and the result; then, for a function
//! that must keep an asset's total, the machine's conservation check.

use min_core::{Global, Spec, SpecKind};
use min_diagnostics::codes;

use crate::error::{Fault, RuntimeError};
use crate::machine::Machine;
use crate::value::Value;

/// Runs `global` on `args`, checking `specs`, its clauses.
pub(crate) fn run_specified<'p>(
    machine: &Machine<'p>,
    global: &'p Global,
    specs: &[&'p Spec],
    args: Vec<Value<'p>>,
) -> Result<Value<'p>, Fault> {
    let name = short(&global.name);
    for spec in specs.iter().filter(|spec| spec.kind == SpecKind::Requires) {
        if !holds(machine, spec, args.clone())? {
            // No span: the call site, where the fault is, sets it.
            return Err(RuntimeError::new(
                codes::E0416,
                format!("`{name}` was called on arguments that break its `{}`: the caller's fault", spec.headline()),
            ));
        }
    }
    let measured = match specs.iter().find(|spec| spec.kind == SpecKind::Decreases) {
        Some(spec) => {
            let measure = match machine.run_body(&spec.global, args.clone())? {
                Value::Nat(n) => n,
                other => {
                    return Err(RuntimeError::ill_formed(format_args!("a measure evaluated to {}", other.kind())));
                }
            };
            let outer =
                machine.measures.borrow().iter().rev().find(|(f, _)| machine.same_group(f, &global.name)).copied();
            if let Some((caller, outer)) = outer
                && measure >= outer
            {
                let message = if caller == global.name {
                    format!(
                        "`{name}` called itself with `{}` at {measure}, not below {outer} in the call it runs inside",
                        spec.headline()
                    )
                } else {
                    format!(
                        "`{name}` was called back with `{}` at {measure}, not below the measure {outer} of the call of `{}` it runs inside",
                        spec.headline(),
                        short(caller)
                    )
                };
                return Err(RuntimeError::new(codes::E0418, message));
            }
            machine.measures.borrow_mut().push((global.name.as_str(), measure));
            true
        }
        None => false,
    };
    let result = machine.run_body(global, args.clone());
    if measured {
        machine.measures.borrow_mut().pop();
    }
    let result = result?;
    for spec in specs.iter().filter(|spec| spec.kind == SpecKind::Ensures) {
        let mut all = args.clone();
        all.push(result.clone());
        if !holds(machine, spec, all)? {
            return Err(RuntimeError::new(
                codes::E0417,
                format!("`{name}` returned a result that breaks its `{}`: the function's fault", spec.headline()),
            )
            .at(spec.span));
        }
    }
    if let Some(check) = machine.conservation_check(&global.name)
        && let Some(message) = check(global, &args, &result)
    {
        // No span: the call site sets it.
        return Err(RuntimeError::new(codes::E0419, message));
    }
    Ok(result)
}

/// Whether the clause `spec` is `true` of `args`.
fn holds<'p>(machine: &Machine<'p>, spec: &'p Spec, args: Vec<Value<'p>>) -> Result<bool, Fault> {
    match machine.run_body(&spec.global, args)? {
        Value::Bool(b) => Ok(b),
        other => Err(RuntimeError::ill_formed(format_args!("a clause evaluated to {}", other.kind()))),
    }
}

/// A global's name without its module.
fn short(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(_, short)| short)
}
