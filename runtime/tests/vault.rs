//! A contract with a list in its object, a generic type of the prelude in a
//! result, a procedure that never ends, one that recurses deeply and one
//! that overflows; and mutated modules, which must fail cleanly.

use std::sync::OnceLock;

mod common;

use common::build;
use min_runtime::{Contract, Engine, EngineLimits, ExecError, Value};
use proptest::prelude::*;

fn vault() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        // `spin` and `deep` run without bound on purpose, to show that the
        // runtime stops them: the compiler refuses them (E0807), and a
        // module built anyway must still be safe to run.
        let (wasm, metadata) = build("tests/contracts/vault.min", &["E0807"]);
        Contract::load(&wasm, &metadata).expect("the vault loads")
    })
}

fn bank() -> &'static (Vec<u8>, Vec<u8>) {
    static ARTIFACT: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    ARTIFACT.get_or_init(|| build("../examples/bank.min", &[]))
}

fn engine() -> Engine {
    Engine::with_limits(EngineLimits { concurrent_calls: 4, ..EngineLimits::default() }).expect("an engine starts")
}

const GAS: u64 = 10_000_000;

#[test]
fn lists_and_options_cross_the_boundary() {
    let (contract, engine) = (vault(), engine());
    let created = contract.call(&engine, "create", &[], &[Value::string("carol")], GAS).unwrap();
    let mut vault = created.outputs[0].clone();
    for n in [3, 5] {
        vault = contract.call(&engine, "put", &[vault], &[Value::Nat(n)], GAS).unwrap().outputs.remove(0);
    }
    assert_eq!(vault.to_string(), r#"{owner = "carol", items = [5, 3]}"#);
    let newest = contract.call(&engine, "newest", &[vault.clone()], &[], GAS).unwrap();
    assert_eq!(newest.returns.iter().map(ToString::to_string).collect::<Vec<_>>(), ["Some 5"]);
    assert_eq!(newest.outputs[0].to_string(), vault.to_string());
    let pairs = Value::list(vec![
        Value::tuple(vec![Value::string("a"), Value::Int(-4)]),
        Value::tuple(vec![Value::string("b"), Value::Int(10)]),
    ]);
    let total = contract.call(&engine, "total", &[], &[pairs], GAS).unwrap();
    assert_eq!(total.returns[0].to_string(), "6");
    let wrong = Value::list(vec![Value::Int(1)]);
    assert!(matches!(contract.call(&engine, "total", &[], &[wrong], GAS), Err(ExecError::BadArguments { .. })));
}

#[test]
fn a_procedure_that_never_ends_runs_out_of_gas() {
    let (contract, engine) = (vault(), engine());
    let error = contract.call(&engine, "spin", &[], &[Value::Nat(0)], 200_000).unwrap_err();
    assert_eq!(error, ExecError::OutOfGas { limit: 200_000 });
}

#[test]
fn failures_are_traps_with_the_interpreters_text() {
    let (contract, engine) = (vault(), engine());
    assert_eq!(contract.call(&engine, "deep", &[], &[Value::Nat(100)], GAS).unwrap().returns[0].to_string(), "100");
    let ExecError::Trap { reason } = contract.call(&engine, "deep", &[], &[Value::Nat(5_000)], GAS).unwrap_err() else {
        panic!("deep recursion is not a trap");
    };
    assert!(reason.starts_with("E0413"), "{reason}");
    let pairs = Value::list(vec![
        Value::tuple(vec![Value::string("a"), Value::Int(i128::MAX)]),
        Value::tuple(vec![Value::string("b"), Value::Int(1)]),
    ]);
    let ExecError::Trap { reason } = contract.call(&engine, "total", &[], &[pairs], GAS).unwrap_err() else {
        panic!("overflow is not a trap");
    };
    assert!(reason.starts_with("E0410"), "{reason}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A module with a few bytes changed either is refused at load or runs
    /// to an outcome or an error: it never takes the host down.
    #[test]
    fn mutated_modules_fail_cleanly(changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let (wasm, metadata) = bank();
        let mut mutated = wasm.clone();
        for (index, byte) in &changes {
            let at = index.index(mutated.len());
            mutated[at] = *byte;
        }
        if let Ok(contract) = Contract::load(&mutated, metadata) {
            let engine = engine();
            let _ = contract.call(&engine, "open", &[], &[Value::string("eve")], 100_000);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Metadata with a few bytes changed is refused with a reason or loads;
    /// loading never panics.
    #[test]
    fn mutated_metadata_is_refused_or_loads(changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let (wasm, metadata) = bank();
        let mut mutated = metadata.clone();
        for (index, byte) in &changes {
            let at = index.index(mutated.len());
            mutated[at] = *byte;
        }
        if let Err(error) = Contract::load(wasm, &mutated) {
            prop_assert!(!error.reason.is_empty());
        }
    }
}

#[test]
fn a_result_too_large_to_read_stops_at_its_limit_or_its_gas() {
    let (contract, engine) = (vault(), engine());
    let small = contract.call(&engine, "grow", &[], &[Value::Nat(2)], GAS).unwrap();
    assert_eq!(small.returns[0].to_string(), "Node (Node Leaf Leaf) (Node Leaf Leaf)");
    // 2^60 nodes share 61 objects; reading them all out would never end.
    let error = contract.call(&engine, "grow", &[], &[Value::Nat(60)], GAS).unwrap_err();
    let ExecError::Trap { reason } = &error else { panic!("{error:?}") };
    assert!(reason.contains("passes the limit of 1048576 bytes"), "{reason}");
    let error = contract.call(&engine, "grow", &[], &[Value::Nat(60)], 500_000).unwrap_err();
    assert_eq!(error, ExecError::OutOfGas { limit: 500_000 });
}
