//! The ledger contract's events: a call splits the event components of its
//! result from its outputs and returns, a list of events gives its elements
//! in order, and the metadata records each event's role and type.

mod common;

use std::sync::OnceLock;

use min_runtime::{Contract, Engine, Role, TypeDesc, Value};

fn ledger() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| common::contract("../examples/ledger.min"))
}

const GAS: u64 = 10_000_000;

fn data(name: &str) -> TypeDesc {
    TypeDesc::Data { name: name.to_owned(), args: Vec::new() }
}

#[test]
fn the_metadata_records_each_event_role_and_type() {
    let metadata = ledger().metadata();
    let transfer = metadata.procedure("transfer").unwrap();
    assert_eq!(transfer.events, ["Transferred"]);
    let roles: Vec<Role> = transfer.results.iter().map(|slot| slot.role).collect();
    assert_eq!(roles, [Role::Output, Role::Output, Role::Event]);
    assert_eq!(transfer.results[2].r#type, data("ledger.Transferred"));
    let close = metadata.procedure("close").unwrap();
    assert_eq!(close.events, ["[Supply]"]);
    assert_eq!(close.results[1].r#type, TypeDesc::List(Box::new(data("ledger.Supply"))));
    assert!(metadata.data_type("ledger.Supply").is_some_and(|ty| ty.variants.len() == 2));
}

#[test]
fn a_call_splits_its_events_from_its_outputs_and_returns() {
    let (contract, engine) = (ledger(), Engine::new().unwrap());
    let open = |who: &str| contract.call(&engine, "open", &[], &[Value::string(who)], GAS).unwrap().outputs.remove(0);
    let minted = contract.call(&engine, "mint", &[open("ada")], &[Value::Nat(10)], GAS).unwrap();
    assert_eq!(minted.events.len(), 1);
    assert_eq!(minted.events[0].type_name(), "ledger.Supply");
    assert_eq!(minted.events[0].value.to_string(), r#"Minted "ada" 10"#);
    assert!(minted.returns.is_empty());

    let inputs = [minted.outputs[0].clone(), open("bob")];
    let moved = contract.call(&engine, "transfer", &inputs, &[Value::Nat(3)], GAS).unwrap();
    let shown: Vec<String> = moved.outputs.iter().map(ToString::to_string).collect();
    assert_eq!(shown, [r#"{holder = "ada", balance = 7}"#, r#"{holder = "bob", balance = 3}"#]);
    assert_eq!(moved.events[0].type_name(), "ledger.Transferred");
    assert_eq!(moved.events[0].value.to_string(), r#"{from = "ada", to = "bob", amount = 3}"#);

    let closed = contract.call(&engine, "close", &[moved.outputs[0].clone()], &[], GAS).unwrap();
    assert_eq!(closed.returns.iter().map(ToString::to_string).collect::<Vec<_>>(), ["7"]);
    let events: Vec<String> = closed.events.iter().map(|event| event.value.to_string()).collect();
    assert_eq!(events, [r#"Burned "ada" 7"#], "the list's element, not the list");
    assert_eq!(closed.events[0].r#type, data("ledger.Supply"));

    let empty = contract.call(&engine, "close", &[open("cy")], &[], GAS).unwrap();
    assert!(empty.events.is_empty(), "an empty list logs nothing");
    let event = &closed.events[0];
    let bytes = contract.encode(&event.value, &event.r#type).unwrap();
    assert_eq!(contract.decode(&bytes, &event.r#type).unwrap().to_string(), event.value.to_string());
}
