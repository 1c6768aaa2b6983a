//! The example bank, built by the real compiler and run from its deployed
//! bytes alone: the procedures' outcomes, aborts, gas, bad arguments,
//! refused modules and metadata, the canonical codec, determinism.

mod common;

use std::sync::OnceLock;

use min_runtime::{
    Contract, Engine, EngineLimits, ExecError, Limits, Metadata, Outcome, Role, TypeDesc, Value, decode_value,
    encode_value, gas,
};
use proptest::prelude::*;

/// The bank's module and metadata, as `minc build` writes them.
fn artifact() -> &'static (Vec<u8>, Vec<u8>) {
    static ARTIFACT: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    ARTIFACT.get_or_init(|| common::build("../examples/bank.min", &[]))
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let (wasm, metadata) = artifact();
        Contract::load(wasm, metadata).expect("the bank loads")
    })
}

fn engine() -> Engine {
    Engine::with_limits(EngineLimits { concurrent_calls: 4, ..EngineLimits::default() }).expect("an engine starts")
}

const GAS: u64 = 1_000_000;

fn account() -> TypeDesc {
    TypeDesc::Data { name: "bank.Account".into(), args: vec![] }
}

fn shown(values: &[Value<'_>]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

fn open<'c>(contract: &'c Contract, engine: &Engine, who: &str) -> Value<'c> {
    let outcome = contract.call(engine, "open", &[], &[Value::string(who)], GAS).expect("open runs");
    assert!(outcome.returns.is_empty());
    outcome.outputs.into_iter().next().expect("open creates an account")
}

#[test]
fn open_deposit_transfer_close() {
    let (contract, engine) = (contract(), engine());
    let alice = open(contract, &engine, "alice");
    assert_eq!(alice.to_string(), r#"{holder = "alice", balance = 0}"#);
    let deposited = contract.call(&engine, "deposit", &[alice], &[Value::Nat(100)], GAS).expect("deposit runs");
    assert_eq!(shown(&deposited.outputs), [r#"{holder = "alice", balance = 100}"#]);
    assert!(deposited.returns.is_empty());
    let bob = open(contract, &engine, "bob");
    let alice = deposited.outputs[0].clone();
    let moved = contract.call(&engine, "bank.transfer", &[alice, bob], &[Value::Nat(30)], GAS).expect("transfer runs");
    assert_eq!(shown(&moved.outputs), [r#"{holder = "alice", balance = 70}"#, r#"{holder = "bob", balance = 30}"#]);
    let seen = contract.call(&engine, "balance_of", &[moved.outputs[0].clone()], &[], GAS).expect("balance_of runs");
    assert_eq!(
        (shown(&seen.outputs), shown(&seen.returns)),
        (vec![moved.outputs[0].to_string()], vec!["70".to_string()])
    );
    let closed = contract.call(&engine, "close", &[moved.outputs[1].clone()], &[], GAS).expect("close runs");
    assert_eq!((closed.outputs.len(), shown(&closed.returns)), (0, vec!["30".to_string()]));
    for outcome in [&deposited, &moved, &seen, &closed] {
        assert!(outcome.gas_used > gas::CALL_BASE && outcome.gas_used <= GAS, "{}", outcome.gas_used);
    }
}

#[test]
fn a_transfer_beyond_the_balance_aborts_with_its_message() {
    let (contract, engine) = (contract(), engine());
    let (alice, bob) = (open(contract, &engine, "alice"), open(contract, &engine, "bob"));
    let error = contract.call(&engine, "transfer", &[alice, bob], &[Value::Nat(1)], GAS).unwrap_err();
    assert_eq!(error, ExecError::Abort { message: "insufficient funds".into() });
}

#[test]
fn a_call_stops_at_its_gas_limit_and_the_same_call_with_enough_gas_succeeds() {
    let (contract, engine) = (contract(), engine());
    let alice = open(contract, &engine, "alice");
    let deposit = |limit| contract.call(&engine, "deposit", std::slice::from_ref(&alice), &[Value::Nat(5)], limit);
    assert_eq!(deposit(10).unwrap_err(), ExecError::OutOfGas { limit: 10 });
    let enough = deposit(GAS).expect("deposit runs");
    // Past the upfront charge but short of what the Wasm code burns.
    let short = enough.gas_used - 1;
    assert_eq!(deposit(short).unwrap_err(), ExecError::OutOfGas { limit: short });
    let exact = deposit(enough.gas_used).expect("exactly enough gas is enough");
    assert_eq!(exact.gas_used, enough.gas_used);
    assert!(enough.gas_used <= GAS);
}

#[test]
fn the_same_call_gives_the_same_outcome_and_gas() {
    let (contract, engine) = (contract(), engine());
    let run = || -> Outcome<'_> {
        let (alice, bob) = (open(contract, &engine, "alice"), open(contract, &engine, "bob"));
        let alice =
            contract.call(&engine, "deposit", &[alice], &[Value::Nat(1 << 100)], GAS).unwrap().outputs.remove(0);
        contract.call(&engine, "transfer", &[alice, bob], &[Value::Nat(1 << 99)], GAS).unwrap()
    };
    let (first, second) = (run(), run());
    assert_eq!(shown(&first.outputs), shown(&second.outputs));
    assert_eq!(first.gas_used, second.gas_used);
    // Another engine, compiling the module again, agrees too.
    let other = crate::engine();
    let alice = open(contract, &other, "alice");
    let again = contract.call(&other, "deposit", std::slice::from_ref(&alice), &[Value::Nat(7)], GAS).unwrap();
    let here = contract.call(&engine, "deposit", &[alice], &[Value::Nat(7)], GAS).unwrap();
    assert_eq!((shown(&again.outputs), again.gas_used), (shown(&here.outputs), here.gas_used));
}

#[test]
fn wrong_arity_or_types_are_bad_arguments() {
    let (contract, engine) = (contract(), engine());
    let alice = open(contract, &engine, "alice");
    let bad = |inputs: &[Value<'_>], params: &[Value<'_>]| match contract.call(&engine, "deposit", inputs, params, GAS)
    {
        Err(ExecError::BadArguments { reason }) => reason,
        other => panic!("not bad arguments: {other:?}"),
    };
    assert_eq!(
        bad(&[], &[Value::Nat(1)]),
        "bank.deposit consumes 1 objects and takes 1 parameters, but was given 0 objects and 1 parameters"
    );
    assert_eq!(
        bad(std::slice::from_ref(&alice), &[Value::string("ten")]),
        r#"parameter 2 of bank.deposit: "ten" is not a value of type ℕ"#
    );
    assert_eq!(
        bad(&[Value::Nat(3)], &[Value::Nat(1)]),
        "parameter 1 of bank.deposit: 3 is not a value of type Account"
    );
    assert!(bad(std::slice::from_ref(&alice), &[Value::Int(-1)]).contains("is not a value of type ℕ"));
    let error = contract.call(&engine, "steal", &[alice], &[], GAS).unwrap_err();
    assert!(matches!(error, ExecError::BadArguments { .. }), "{error:?}");
}

#[test]
fn arguments_past_the_size_limit_are_refused_before_running() {
    let (contract, engine) = (contract(), engine());
    let huge = Value::string(&"x".repeat(min_runtime::INPUT_BYTES_MAX));
    let error = contract.call(&engine, "open", &[], &[huge], u64::MAX).unwrap_err();
    assert_eq!(error, ExecError::InputTooLarge { limit: min_runtime::INPUT_BYTES_MAX });
}

fn load_error(wasm: &[u8], metadata: &[u8]) -> String {
    match Contract::load(wasm, metadata) {
        Ok(_) => panic!("loaded"),
        Err(error) => error.reason,
    }
}

#[test]
fn broken_modules_and_metadata_are_refused_with_a_reason() {
    let (wasm, metadata) = artifact();
    assert!(load_error(&wasm[..wasm.len() / 2], metadata).starts_with("the module is not valid Wasm"));
    assert!(load_error(b"garbage", metadata).starts_with("the module is not valid Wasm"));
    assert_eq!(load_error(b"\0asm\x01\0\0\0", metadata), "the module imports 0 functions, not the 13 run-time helpers");
    assert!(load_error(wasm, &metadata[..metadata.len() / 2]).starts_with("the metadata is not valid"));
    assert!(load_error(wasm, b"[1, 2").starts_with("the metadata is not valid"));

    let edited = |edit: &dyn Fn(&mut Metadata)| {
        let mut changed = Metadata::from_json(metadata).unwrap();
        edit(&mut changed);
        load_error(wasm, changed.to_json().as_bytes())
    };
    assert_eq!(edited(&|m| m.abi_version = 2), "the module follows ABI version 2, and this runtime runs version 1");
    assert_eq!(
        edited(&|m| m.procedures[0].name = "bank.steal".into()),
        "the module exports no function bank.steal in its function table"
    );
    assert_eq!(
        edited(&|m| m.imports.helpers[2].name = "syscall".into()),
        "the metadata's helpers are not the run-time helpers, in their order"
    );
    assert!(edited(&|m| m.data_types.clear()).contains("no data type bank.Account is described"));
    assert!(edited(&|m| m.procedures[1].arguments[0].role = Role::Output).contains("do not match its dependency set"));
    assert!(edited(&|m| m.procedures[1].arguments.pop().map(drop).unwrap_or(())).contains("do not match"));

    // A module that imports something else.
    let renamed = replace_bytes(wasm, b"region_grow", b"region_grox");
    assert!(load_error(&renamed, metadata).starts_with("import 0 is min.region_grox"));
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = haystack.windows(from.len()).position(|window| window == from).expect("the bytes occur");
    let mut out = haystack.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn accounts_round_trip_through_the_canonical_encoding(
        accounts in proptest::collection::vec((".{0,20}", any::<u128>()), 0..8),
    ) {
        let contract = contract();
        let record = contract.schema().constructors("bank.Account").next().expect("Account has a constructor");
        let values: Vec<Value<'_>> = accounts
            .iter()
            .map(|(holder, balance)| Value::data(record, vec![Value::string(holder), Value::Nat(*balance)]))
            .collect();
        let ty = TypeDesc::List(Box::new(TypeDesc::Tuple(vec![account(), TypeDesc::Int])));
        let value = Value::list(values.iter().map(|a| Value::tuple(vec![a.clone(), Value::Int(-3)])).collect());
        let bytes = encode_value(&value, &ty, contract.schema(), &Limits::default()).unwrap();
        let back = decode_value(&bytes, &ty, contract.schema(), &Limits::default()).unwrap();
        prop_assert_eq!(back.to_string(), value.to_string());
        for one in &values {
            let bytes = contract.encode(one, &account()).unwrap();
            prop_assert_eq!(contract.decode(&bytes, &account()).unwrap().to_string(), one.to_string());
        }
    }

    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let contract = contract();
        let types = [
            account(),
            TypeDesc::List(Box::new(account())),
            TypeDesc::Tuple(vec![TypeDesc::Real, TypeDesc::Char, TypeDesc::Bool, TypeDesc::Str]),
            TypeDesc::List(Box::new(TypeDesc::List(Box::new(TypeDesc::Tuple(vec![]))))),
        ];
        for ty in &types {
            if let Ok(value) = decode_value(&bytes, ty, contract.schema(), &Limits::default()) {
                // What decodes re-encodes to the same bytes: the encoding is canonical.
                prop_assert_eq!(contract.encode(&value, ty).unwrap(), bytes.clone());
            }
        }
    }
}
