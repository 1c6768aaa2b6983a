//! The static gas bounds that `minc build` writes into the metadata hold:
//! every call uses at most the bound at its arguments' bytes, for
//! generated arguments of every size, strings that show with escapes,
//! long lists and big numbers included (`spec/gas.md`, "Static bounds").

mod common;

use std::sync::OnceLock;

use min_runtime::{Contract, Engine, GasBound, Value};
use proptest::prelude::*;

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| common::contract("tests/contracts/sizes.min"))
}

const GAS: u64 = 1_000_000_000;

/// Calls `procedure` and checks its gas against its bound; returns the
/// outputs and the gas used.
fn call_within_bound<'c>(
    contract: &'c Contract,
    engine: &Engine,
    procedure: &str,
    inputs: &[Value<'c>],
    params: &[Value<'c>],
) -> (Vec<Value<'c>>, u64, u64) {
    let info = contract.procedure(procedure).expect("the procedure exists");
    let mut bytes = 0u64;
    let (mut next_input, mut next_param) = (inputs.iter(), params.iter());
    for slot in &info.arguments {
        let value = match slot.role {
            min_runtime::Role::Input => next_input.next(),
            _ => next_param.next(),
        }
        .expect("as many arguments as parameters");
        bytes += contract.encode(value, &slot.r#type).expect("the argument encodes").len() as u64;
    }
    let outcome = contract.call(engine, procedure, inputs, params, GAS).expect("the call succeeds");
    let bound = info.gas_bound.at(bytes).unwrap_or_else(|| panic!("{procedure} has a bound: {:?}", info.gas_bound));
    assert!(
        outcome.gas_used <= bound,
        "{procedure} used {} gas with {bytes} bytes of arguments, above its bound {bound}",
        outcome.gas_used
    );
    (outcome.outputs, outcome.gas_used, bound)
}

fn text() -> impl Strategy<Value = String> {
    // Control characters and quotes show escaped, several bytes each.
    prop_oneof![
        "[a-z]{0,40}",
        "[\\x00-\\x1f\"\\\\é€😀a-z]{0,400}",
        Just("tea".to_string()),
        Just("a longer literal than one word".to_string()),
    ]
}

fn number() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..10, any::<u128>(), Just(u128::MAX)]
}

/// A `Shape` of the contract, before it is a value.
#[derive(Clone, Debug)]
enum ShapeSpec {
    Dot,
    Line(u128),
    Label(String, i64, i64),
}

fn shape() -> impl Strategy<Value = ShapeSpec> {
    prop_oneof![
        Just(ShapeSpec::Dot),
        number().prop_map(ShapeSpec::Line),
        (text(), any::<i64>(), any::<i64>()).prop_map(|(text, x, y)| ShapeSpec::Label(text, x, y)),
    ]
}

fn shape_value(spec: &ShapeSpec) -> Value<'static> {
    let constructor = |name: &str| contract().constructor("sizes.Shape", name).expect("Shape has the constructor");
    match spec {
        ShapeSpec::Dot => Value::data(constructor("Dot"), Vec::new()),
        ShapeSpec::Line(n) => Value::data(constructor("Line"), vec![Value::Nat(*n)]),
        ShapeSpec::Label(text, x, y) => {
            let at = Value::tuple(vec![Value::Int(i128::from(*x)), Value::Int(i128::from(*y))]);
            Value::data(constructor("Label"), vec![Value::string(text), at])
        }
    }
}

fn numbers() -> impl Strategy<Value = Vec<u128>> {
    prop::collection::vec(number(), 0..300)
}

fn nat_list(items: &[u128]) -> Value<'static> {
    Value::list(items.iter().map(|n| Value::Nat(*n)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_call_stays_within_its_bound(
        owner in text(),
        note in text(),
        items in numbers(),
        shape in shape(),
        extra in text(),
        more in numbers(),
        other_note in text(),
    ) {
        let (contract, engine) = (contract(), Engine::new().expect("an engine starts"));
        let create = |note: &str| {
            let params = [Value::string(&owner), Value::string(note), nat_list(&items), shape_value(&shape)];
            call_within_bound(contract, &engine, "create", &[], &params).0.remove(0)
        };
        let first = create(&note);
        let second = create(&other_note);
        call_within_bound(contract, &engine, "stamp", std::slice::from_ref(&first), &[Value::string(&extra), nat_list(&more)]);
        call_within_bound(contract, &engine, "describe", std::slice::from_ref(&first), &[]);
        call_within_bound(contract, &engine, "same", &[first.clone(), second.clone()], &[]);
        call_within_bound(contract, &engine, "same", &[first.clone(), first.clone()], &[]);
        call_within_bound(contract, &engine, "classify", &[second], &[]);
    }
}

#[test]
fn the_bound_grows_with_the_arguments_and_stays_near_the_gas_used() {
    let (contract, engine) = (contract(), Engine::new().expect("an engine starts"));
    let mut used_and_bounds = Vec::new();
    for length in [0usize, 1_000, 20_000] {
        let note = "\u{1}".repeat(length);
        let params = [Value::string("ada"), Value::string(&note), nat_list(&[1, 2, 3]), shape_value(&ShapeSpec::Dot)];
        let created = call_within_bound(contract, &engine, "create", &[], &params).0.remove(0);
        let (_, used, bound) = call_within_bound(contract, &engine, "describe", &[created], &[]);
        used_and_bounds.push((used, bound));
    }
    let (small, large) = (used_and_bounds[0], used_and_bounds[2]);
    assert!(large.0 > 10 * small.0, "showing a long string costs more: {used_and_bounds:?}");
    assert!(large.1 > large.0, "{used_and_bounds:?}");
    // The bound follows the work, not just its worst constant.
    assert!(large.1 < 100 * large.0, "{used_and_bounds:?}");
}

#[test]
fn a_recursive_procedure_has_no_bound_and_says_why() {
    let info = contract().procedure("count").expect("count exists");
    match &info.gas_bound {
        GasBound::None(reason) => assert!(reason.contains("recurse") && reason.contains("count"), "{reason}"),
        GasBound::Polynomial(coefficients) => panic!("count has a bound: {coefficients:?}"),
    }
    let stamp = contract().procedure("stamp").expect("stamp exists");
    assert!(matches!(&stamp.gas_bound, GasBound::Polynomial(c) if c.len() == 2), "{:?}", stamp.gas_bound);
}
