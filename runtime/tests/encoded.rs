//! Calls on arguments in the canonical encoding (`Contract::call_encoded`):
//! the outcome and gas are those of the same call on values, events and
//! references included; bytes that are not the canonical encoding of a
//! value of the argument's type are refused with where and why, and never
//! run or crash; a claim in bytes is checked as its values are.

mod common;

use std::sync::OnceLock;

use min_runtime::{
    Argument, Contract, EncodedVerdict, Engine, ExecError, INPUT_BYTES_MAX, Outcome, Role, TypeDesc, Value, Verdict,
};
use proptest::prelude::*;

const GAS: u64 = 10_000_000;

fn ledger() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| common::contract("../examples/ledger.min"))
}

fn token() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| common::contract("../examples/token.min"))
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("an engine starts"))
}

fn data(name: &str) -> TypeDesc {
    TypeDesc::Data { name: name.to_owned(), args: Vec::new() }
}

/// Calls `procedure` both ways, the objects and the values the transaction
/// carries passed encoded and the others (a signer) as values, and checks
/// that the outcomes agree byte for byte and in gas: the values' outcome.
fn call_both<'c>(
    contract: &'c Contract,
    procedure: &str,
    inputs: &[Value<'c>],
    params: &[Value<'c>],
) -> Result<Outcome<'c>, ExecError> {
    let info = contract.procedure(procedure).expect("the procedure exists");
    let (input_slots, param_slots): (Vec<_>, Vec<_>) =
        info.arguments.iter().partition(|slot| matches!(slot.role, Role::Input | Role::Reference));
    // A reference's bytes are the object's: `Ref T`'s argument.
    let object_type = |role: Role, ty: &TypeDesc| match (role, ty) {
        (Role::Reference, TypeDesc::Data { args, .. }) => args[0].clone(),
        (_, ty) => ty.clone(),
    };
    let encoded_inputs: Vec<Vec<u8>> = inputs
        .iter()
        .zip(&input_slots)
        .map(|(value, slot)| contract.encode(value, &object_type(slot.role, &slot.r#type)).expect("an input encodes"))
        .collect();
    let encoded_params: Vec<Option<Vec<u8>>> = params
        .iter()
        .zip(&param_slots)
        .map(|(value, slot)| (slot.role == Role::Param).then(|| contract.encode(value, &slot.r#type).unwrap()))
        .collect();
    let input_arguments: Vec<Argument<'_, 'c>> = encoded_inputs.iter().map(|bytes| Argument::Encoded(bytes)).collect();
    let param_arguments: Vec<Argument<'_, 'c>> = params
        .iter()
        .zip(&encoded_params)
        .map(|(value, encoded)| encoded.as_deref().map_or(Argument::Value(value), Argument::Encoded))
        .collect();
    let by_values = contract.call(engine(), procedure, inputs, params, GAS);
    let by_bytes = contract.call_encoded(engine(), procedure, &input_arguments, &param_arguments, GAS, None);
    match (&by_values, by_bytes) {
        (Ok(values), Ok(bytes)) => {
            let outputs: Vec<Vec<u8>> = values
                .outputs
                .iter()
                .zip(info.results.iter().filter(|slot| slot.role == Role::Output))
                .map(|(value, slot)| contract.encode(value, &slot.r#type).unwrap())
                .collect();
            assert_eq!(bytes.outputs, outputs, "{procedure}'s outputs");
            let events: Vec<(String, Vec<u8>)> = values
                .events
                .iter()
                .map(|event| (event.type_name().to_owned(), contract.encode(&event.value, &event.r#type).unwrap()))
                .collect();
            let encoded_events: Vec<(String, Vec<u8>)> =
                bytes.events.iter().map(|event| (event.type_name().to_owned(), event.data.clone())).collect();
            assert_eq!(encoded_events, events, "{procedure}'s events");
            let returns: Vec<Value<'_>> = bytes
                .returns
                .iter()
                .zip(info.results.iter().filter(|slot| slot.role == Role::Return))
                .map(|(bytes, slot)| contract.decode(bytes, &slot.r#type).unwrap())
                .collect();
            let shown = |values: &[Value<'_>]| values.iter().map(ToString::to_string).collect::<Vec<_>>();
            assert_eq!(shown(&returns), shown(&values.returns), "{procedure}'s returns");
            assert_eq!(bytes.gas_used, values.gas_used, "{procedure}'s gas");
        }
        (Err(values), Err(bytes)) => assert_eq!(&bytes, values, "{procedure}'s error"),
        (values, bytes) => panic!("{procedure}: {values:?} on values, {bytes:?} on bytes"),
    }
    by_values
}

#[test]
fn the_ledger_gives_the_same_outputs_events_and_gas_either_way() {
    let ledger = ledger();
    let open = |who: &str| call_both(ledger, "open", &[], &[Value::string(who)]).unwrap().outputs.remove(0);
    let huge = u128::MAX - 1;
    let minted = call_both(ledger, "mint", &[open("ada")], &[Value::Nat(huge)]).unwrap();
    let ada = minted.outputs[0].clone();
    let moved = call_both(ledger, "transfer", &[ada.clone(), open("bob")], &[Value::Nat(huge - 5)]).unwrap();
    assert_eq!(moved.events.len(), 1);
    let overdraft = call_both(ledger, "transfer", &[moved.outputs[0].clone(), open("cy")], &[Value::Nat(10)]);
    assert!(matches!(overdraft, Err(ExecError::Abort { .. })), "{overdraft:?}");
    let closed = call_both(ledger, "close", &[moved.outputs[1].clone()], &[]).unwrap();
    assert_eq!(closed.events.len(), 1, "a list of one event gives the event");
    let empty = call_both(ledger, "close", &[open("dee")], &[]).unwrap();
    assert!(empty.events.is_empty());
}

#[test]
fn the_token_gives_the_same_coins_and_gas_either_way_and_reads_references() {
    let token = token();
    let ada = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
    let signer = token.signer_value(ada).unwrap();
    assert_eq!(token.signer_bytes(ada).unwrap(), token.encode(&signer, &data("Prelude.Signer")).unwrap());
    let treasury = call_both(token, "start", &[], std::slice::from_ref(&signer)).unwrap().outputs.remove(0);
    let minted =
        call_both(token, "mint", &[treasury], &[signer.clone(), Value::Nat(1_000), Value::string(ada)]).unwrap();
    let coin = minted.outputs[1].clone();
    let balance = call_both(token, "balance", std::slice::from_ref(&coin), &[]).unwrap();
    assert_eq!(balance.returns[0].to_string(), "1000");
    let paid = call_both(token, "pay", &[coin], &[signer.clone(), Value::Nat(400), Value::string("bob")]).unwrap();
    let merged = call_both(token, "merge", &paid.outputs, std::slice::from_ref(&signer));
    assert!(matches!(merged, Err(ExecError::Abort { .. })), "bob's coin is not ada's to merge: {merged:?}");
}

/// The bytes of a coin of `amount` (below 128) owned by `owner` (of
/// fewer than 128 bytes): the owner's length and bytes, then the amount.
fn coin_bytes(owner: &str, amount: u8) -> Vec<u8> {
    let mut bytes = vec![owner.len() as u8];
    bytes.extend_from_slice(owner.as_bytes());
    bytes.push(amount);
    let coin = token().decode(&bytes, &data("token.Coin")).expect("the bytes are a coin");
    assert_eq!(coin.to_string(), format!("{{owner = \"{owner}\", units = {{amount = {amount}}}}}"));
    bytes
}

fn transfer_of(coin: &[u8]) -> Result<min_runtime::EncodedOutcome<'static>, ExecError> {
    let token = token();
    let signer = token.signer_bytes("ada").unwrap();
    let to = [3, b'b', b'o', b'b'];
    let params = [Argument::Encoded(&signer), Argument::Encoded(&to)];
    token.call_encoded(engine(), "transfer", &[Argument::Encoded(coin)], &params, GAS, None)
}

#[test]
fn bytes_that_are_no_value_of_the_type_are_refused_with_where_and_why() {
    let good = coin_bytes("ada", 5);
    let moved = transfer_of(&good).unwrap();
    assert_eq!(moved.outputs, [coin_bytes("bob", 5)]);
    let reason = |bytes: &[u8]| match transfer_of(bytes) {
        Err(ExecError::BadArguments { reason }) => reason,
        other => panic!("{bytes:?} gave {other:?}"),
    };
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(reason(&trailing).contains("at byte 5: 1 bytes follow the value"), "{}", reason(&trailing));
    assert!(reason(&good[..4]).contains("at byte 4: the number is cut short"), "{}", reason(&good[..4]));
    let mut long_form = good[..4].to_vec();
    long_form.extend([0x85, 0x00]);
    assert!(reason(&long_form).contains("not in its shortest form"), "{}", reason(&long_form));
    let mut not_utf8 = good.clone();
    not_utf8[1] = 0xff;
    assert!(reason(&not_utf8).contains("not UTF-8"), "{}", reason(&not_utf8));
    let huge = vec![0u8; INPUT_BYTES_MAX + 1];
    assert_eq!(transfer_of(&huge).unwrap_err(), ExecError::InputTooLarge { limit: INPUT_BYTES_MAX });
    // After every refusal the kept instance still runs a good call.
    assert_eq!(transfer_of(&good).unwrap().outputs, [coin_bytes("bob", 5)]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any bytes as a coin are refused with a reason, or are a coin and run
    /// as its value does; nothing panics.
    #[test]
    fn any_bytes_as_a_coin_are_refused_or_run_as_the_coin(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
        let token = token();
        match transfer_of(&bytes) {
            Err(ExecError::BadArguments { reason }) => prop_assert!(reason.contains("parameter 2 of token.transfer: at byte")),
            by_bytes => {
                let coin = token.decode(&bytes, &data("token.Coin")).expect("only a coin runs");
                let signer = token.signer_value("ada").unwrap();
                let by_value = token.call(engine(), "transfer", &[coin], &[signer, Value::string("bob")], GAS);
                match (by_bytes, by_value) {
                    (Ok(bytes), Ok(value)) => prop_assert_eq!(bytes.gas_used, value.gas_used),
                    (Err(bytes), Err(value)) => prop_assert_eq!(bytes, value),
                    (bytes, value) => prop_assert!(false, "{:?} against {:?}", bytes, value),
                }
            }
        }
    }

    /// Any amounts minted and moved give the same bytes and gas either way.
    #[test]
    fn ledger_transfers_agree_either_way(minted in any::<u128>(), moved in any::<u128>()) {
        let ledger = ledger();
        let open = |who: &str| call_both(ledger, "open", &[], &[Value::string(who)]).unwrap().outputs.remove(0);
        if let Ok(minted) = call_both(ledger, "mint", &[open("ada")], &[Value::Nat(minted)]) {
            let _ = call_both(ledger, "transfer", &[minted.outputs[0].clone(), open("bob")], &[Value::Nat(moved)]);
        }
    }
}

#[test]
fn a_claim_in_bytes_is_checked_as_its_values_are() {
    let token = token();
    let (coin, moved) = (coin_bytes("ada", 5), coin_bytes("bob", 5));
    let signer = token.signer_bytes("ada").unwrap();
    let to = [3, b'b', b'o', b'b'];
    let params = [Argument::Encoded(&signer), Argument::Encoded(&to)];
    let check = |claim: &[u8]| {
        token.check_encoded(
            engine(),
            "transfer",
            &[Argument::Encoded(&coin)],
            &params,
            &[Argument::Encoded(claim)],
            GAS,
            None,
        )
    };
    let Ok(EncodedVerdict::Accepted { gas_used }) = check(&moved) else { panic!("{:?}", check(&moved)) };
    let (coin_type, signer_type) = (data("token.Coin"), data("Prelude.Signer"));
    let values = [token.decode(&coin, &coin_type).unwrap()];
    let value_params = [token.decode(&signer, &signer_type).unwrap(), Value::string("bob")];
    let by_values =
        token.check(engine(), "transfer", &values, &value_params, &[token.decode(&moved, &coin_type).unwrap()], GAS);
    let Ok(Verdict::Accepted(outcome)) = by_values else { panic!("{by_values:?}") };
    assert_eq!(outcome.gas_used, gas_used, "the same gas either way");
    assert_eq!(check(&coin_bytes("eve", 5)), Ok(EncodedVerdict::Refused { aborted: None }));
    assert_eq!(check(&coin_bytes("bob", 6)), Ok(EncodedVerdict::Refused { aborted: None }));
    let Err(ExecError::BadArguments { reason }) = check(&moved[..3]) else { panic!("a cut claim is malformed") };
    assert_eq!(reason, "component 1 of the claimed result of token.transfer: at byte 1: 3 bytes needed, 2 left");
}

#[test]
fn results_of_two_types_with_alike_constructors_are_read_out_as_their_own() {
    let twins = common::contract("tests/contracts/twins.min");
    for n in [0, 5] {
        for procedure in ["mine", "theirs", "both"] {
            call_both(&twins, procedure, &[], &[Value::Nat(n)]).unwrap();
        }
    }
    let both = twins.call(engine(), "both", &[], &[Value::Nat(4)], GAS).unwrap();
    let shown: Vec<String> = both.returns.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["Full 4", "Full 5"]);
}

#[test]
fn a_list_of_events_splits_into_each_events_encoding_and_bad_lists_are_refused() {
    let ledger = ledger();
    let open = |who: &str| ledger.call(engine(), "open", &[], &[Value::string(who)], GAS).unwrap().outputs.remove(0);
    let minted = ledger.call(engine(), "mint", &[open("ada")], &[Value::Nat(9)], GAS).unwrap();
    let closed = ledger.call(engine(), "close", &[minted.outputs[0].clone()], &[], GAS).unwrap();
    let event = &closed.events[0];
    let list_type = TypeDesc::List(Box::new(event.r#type.clone()));
    let one = ledger.encode(&event.value, &event.r#type).unwrap();
    for count in [0, 1, 3] {
        let list = Value::list(vec![event.value.clone(); count]);
        let bytes = ledger.encode(&list, &list_type).unwrap();
        let elements = ledger.elements(&bytes, &event.r#type).unwrap();
        assert_eq!(elements, vec![one.as_slice(); count], "a list of {count}");
    }
    let two = ledger.encode(&Value::list(vec![event.value.clone(); 2]), &list_type).unwrap();
    let trailing = [two.as_slice(), &[0]].concat();
    let error = ledger.elements(&trailing, &event.r#type).unwrap_err();
    assert_eq!(error.offset, two.len(), "{error}");
    let cut = &two[..two.len() - 1];
    assert!(ledger.elements(cut, &event.r#type).is_err(), "a list cut short");
    let mut more = two.clone();
    more[0] = 3;
    assert!(ledger.elements(&more, &event.r#type).is_err(), "a count larger than the elements");
    assert_eq!(ledger.elements(&[0], &event.r#type).unwrap(), Vec::<&[u8]>::new());
    assert!(ledger.elements(&[0x80], &event.r#type).is_err(), "a count cut short");
}
