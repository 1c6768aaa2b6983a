//! Test declarations (`spec/testing.md`): each is checked like a function
//! of its parameters whose result must be `Bool` (any type for a test that
//! aborts), and lowered to a core global of its own that only `minc test`
//! runs. Tests are exempt from the linear-type rules: they run off the
//! chain, where dropping an object loses nothing. Their parameters must
//! have types whose values the runner can generate (`E0209`).

use super::Checker;
use super::types::TypeVars;
use crate::types::{Con, Type, TypePrinter};
use crate::unify::substitute_generics;
use min_core as core;
use min_diagnostics::{Diagnostic, Span, codes};
use min_syntax::ast;
use std::collections::BTreeSet;

/// A checked test: what `minc test` needs to run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestInfo {
    /// The name written after `test`.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// Where the body is.
    pub body_span: Span,
    /// The parameters' names and types, in order.
    pub params: Vec<(String, Type)>,
    /// What the body must do.
    pub expect: ast::TestExpect,
    /// The test as a core global taking its parameters: `Module.test#i`.
    pub global: core::Global,
}

/// A test lowered but not yet finished: its parameter types may still hold
/// unification variables.
pub(crate) struct PendingTest {
    info: TestInfo,
    param_types: Vec<(Type, Span)>,
}

/// The name of test number `index`'s global, which no source can refer to.
pub(crate) fn test_global_name(index: usize) -> String {
    format!("test#{index}")
}

impl Checker {
    /// Checks and lowers every test of the module.
    pub(crate) fn check_tests(&mut self, tests: &[ast::Test]) -> Vec<PendingTest> {
        tests.iter().enumerate().map(|(index, test)| self.check_test(index, test)).collect()
    }

    fn check_test(&mut self, index: usize, test: &ast::Test) -> PendingTest {
        self.u.level += 1;
        let mut vars = Vec::new();
        let param_types: Vec<(Type, Span)> = test
            .params
            .iter()
            .map(|(_, ty)| (self.lower_type(ty, &mut TypeVars::Flexible(&mut vars)), ty.span))
            .collect();
        let result = match test.expect {
            ast::TestExpect::True => Type::con(Con::Bool),
            ast::TestExpect::Aborts(_) => self.u.fresh(),
        };
        let expected = param_types.iter().rev().fold(result, |result, (param, _)| Type::fun(param.clone(), result));
        let name = ast::Name { text: test_global_name(index), span: test.name_span };
        let def = test.definition(name);
        let recording = std::mem::replace(&mut self.recording_flows, false);
        self.in_test = true;
        let global = self.lower_global(&def, &expected);
        self.in_test = false;
        self.recording_flows = recording;
        // Tests are not held to the linear-type rules.
        self.flow_bodies.pop();
        self.u.level -= 1;
        let info = TestInfo {
            name: test.name.clone(),
            name_span: test.name_span,
            body_span: test.body.span,
            params: test.params.iter().map(|(name, _)| (name.text.clone(), Type::con(Con::Bool))).collect(),
            expect: test.expect.clone(),
            global,
        };
        PendingTest { info, param_types }
    }

    /// Finishes the tests once the module's types are settled: their
    /// globals' types and slots, their parameters' types, and `E0209` for
    /// parameters the runner cannot generate.
    pub(crate) fn finish_tests(&mut self, tests: Vec<PendingTest>) -> Vec<TestInfo> {
        let mut finished = Vec::with_capacity(tests.len());
        for PendingTest { mut info, param_types } in tests {
            self.finalize_global(&mut info.global);
            for ((_, ty), (written, span)) in info.params.iter_mut().zip(param_types) {
                *ty = self.u.resolve(&written);
                if let Err(reason) = self.generatable(ty, &mut BTreeSet::new()) {
                    let shown = TypePrinter::default().show(ty);
                    self.error(
                        Diagnostic::error(
                            codes::E0209,
                            span,
                            format!("`minc test` cannot generate values of `{shown}`, which is or holds {reason}"),
                        )
                        .with_help("give the test parameters of data types (numbers, Bool, S, lists, tuples, records and data types of those) and build the rest in its body"),
                    );
                }
            }
            finished.push(info);
        }
        finished
    }

    /// Whether values of `ty` can be generated; the reason when not.
    fn generatable(&self, ty: &Type, seen: &mut BTreeSet<String>) -> Result<(), String> {
        match ty {
            Type::App(Con::Nat | Con::Int | Con::Real | Con::Bool | Con::Char | Con::Str, _) => Ok(()),
            Type::App(Con::List | Con::Tuple(_), args) => args.iter().try_for_each(|arg| self.generatable(arg, seen)),
            Type::App(Con::Adt(qualified), args) => {
                let key = format!("{qualified}{args:?}");
                if !seen.insert(key) {
                    return Ok(());
                }
                let Some(adt) = self.adt_by_qualified(qualified) else {
                    return Err(format!("`{qualified}`, a type not known here"));
                };
                if adt.constructors.iter().all(|c| c.fields.iter().any(|(_, field)| mentions(field, qualified))) {
                    return Err(format!(
                        "`{qualified}`, whose every constructor holds another, so that no value is finite"
                    ));
                }
                for constructor in &adt.constructors {
                    for (_, field) in &constructor.fields {
                        self.generatable(&substitute_generics(field, args), seen)?;
                    }
                }
                Ok(())
            }
            Type::Fun(..) => Err("a function type".to_string()),
            Type::App(Con::Rigid(_), _) | Type::Var(_) | Type::Gen(_) => Err("a type variable".to_string()),
        }
    }
}

/// Whether `ty` mentions the data type `qualified`.
fn mentions(ty: &Type, qualified: &str) -> bool {
    match ty {
        Type::App(Con::Adt(name), args) => &**name == qualified || args.iter().any(|arg| mentions(arg, qualified)),
        Type::App(Con::List, _) => false,
        Type::App(_, args) => args.iter().any(|arg| mentions(arg, qualified)),
        Type::Fun(a, b) => mentions(a, qualified) || mentions(b, qualified),
        Type::Var(_) | Type::Gen(_) => false,
    }
}
