//! Contract transactions on shards, with a stand-in contract host (the real
//! host, wasmtime running compiled Min, is tested in `min-node`): packages
//! are global and immutable, calls are re-run by the validator and their
//! outputs must match, and contract-owned objects move only through their
//! contract's procedures.

use ed25519_dalek::SigningKey;
use min_chain::contracts::{
    CallEffects, CallFailure, ContractCall, ContractHost, CreatedObject, Event, NoContracts, PACKAGE_BYTES_MAX,
    Package, contract_owner, contract_type_tag,
};
use min_chain::encoding::DecodeError;
use min_chain::objects::{Address, ObjectId, ObjectRef, TypeTag, coin_data};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::state::{Abort, ShardState};
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody};
use std::num::NonZeroU32;

/// Stand-in host for these tests: a "counter" contract whose procedure
/// `bump` consumes counters and creates one `Counter` whose data is the
/// params followed by the number of counters consumed, logging one
/// `Bumped` event of the same data, and whose procedure `fail` always fails. It accepts any package whose module is not empty.
struct StandInCounterHost;

impl ContractHost for StandInCounterHost {
    fn check_package(&self, package: &Package, _linked: &[Package]) -> Result<(), String> {
        if package.wasm.is_empty() { Err("the module is empty".to_owned()) } else { Ok(()) }
    }

    fn check(&self, call: &ContractCall<'_>) -> Result<CallEffects, CallFailure> {
        match call.procedure {
            "bump" => {
                let mut data = call.params.to_vec();
                data.push(u8::try_from(call.inputs.len()).expect("few inputs"));
                let event = Event { package: call.package.id, type_name: "Bumped".to_owned(), data: data.clone() };
                Ok(CallEffects {
                    created: vec![CreatedObject { package: call.package.id, type_name: "Counter".to_owned(), data }],
                    events: vec![event],
                })
            }
            other => Err(CallFailure::Failed(format!("procedure {other} aborted"))),
        }
    }
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

fn shards(count: u32) -> NonZeroU32 {
    NonZeroU32::new(count).unwrap()
}

fn publication(publisher: &SigningKey, wasm: Vec<u8>) -> Transaction {
    let package = Package { wasm, metadata: b"{}".to_vec(), links: Vec::new() };
    TransactionBody {
        procedure: Procedure::Publish,
        inputs: vec![],
        references: vec![],
        params: vec![],
        outputs: vec![Output { owner: address(publisher), type_tag: TypeTag::PACKAGE, data: package.to_bytes() }],
        signer: address(publisher),
    }
    .sign(publisher)
}

/// A `bump` call whose outputs are what the stand-in host computes, with
/// `salt` ground until the output lands on `shard` of `count`.
fn bump(caller: &SigningKey, package: ObjectId, inputs: Vec<ObjectRef>, shard: ShardId, count: u32) -> Transaction {
    (0u64..)
        .map(|salt| {
            let data = vec![7, u8::try_from(inputs.len()).unwrap()];
            let output =
                Output { owner: contract_owner(package), type_tag: contract_type_tag(package, "Counter"), data };
            TransactionBody {
                procedure: Procedure::Call { name: "bump".to_owned(), salt },
                inputs: inputs.clone(),
                references: vec![ObjectRef { id: package, version: 1 }],
                params: vec![7],
                outputs: vec![output],
                signer: address(caller),
            }
        })
        .find(|body| shard_of(&body.id().output_id(0), shards(count)) == shard)
        .expect("some salt places the output")
        .sign(caller)
}

#[test]
fn a_package_is_created_on_every_shard_and_a_call_reaches_it_on_any() {
    let count = 3;
    let publisher = key(1);
    let publish = publication(&publisher, b"\0asm".to_vec());
    assert_eq!(shards_touched(publish.body(), shards(count)).len(), 3);
    let mut states: Vec<ShardState> =
        (0..count).map(|shard| ShardState::new(ShardId(shard), shards(count), address(&key(200)))).collect();
    let mut packages = Vec::new();
    for state in &mut states {
        let created = state.apply(&publish, true, &StandInCounterHost).expect("every shard keeps the package");
        packages.push(created[0]);
    }
    assert!(packages.windows(2).all(|pair| pair[0] == pair[1]), "one id everywhere");
    let package = packages[0].id;

    for (shard, state) in states.iter_mut().enumerate() {
        let shard = ShardId(u32::try_from(shard).unwrap());
        let call = bump(&key(2), package, vec![], shard, count);
        assert_eq!(shards_touched(call.body(), shards(count)), [shard].into(), "the package does not count");
        let created = state.apply(&call, true, &StandInCounterHost).expect("the call runs where its output lives");
        let counter = state.object(&created[0].id).unwrap();
        assert_eq!(counter.owner, contract_owner(package));
        assert_eq!(counter.type_tag, contract_type_tag(package, "Counter"));
    }
}

#[test]
fn a_call_consumes_contract_owned_objects_that_a_transfer_cannot() {
    let mut state = ShardState::new(ShardId(0), shards(1), address(&key(200)));
    let package = state.apply(&publication(&key(1), b"\0asm".to_vec()), true, &StandInCounterHost).unwrap()[0].id;
    let first_call = bump(&key(2), package, vec![], ShardId(0), 1);
    let first = state.apply(&first_call, true, &StandInCounterHost).unwrap()[0];

    let transfer = TransactionBody {
        procedure: Procedure::Transfer { amount: 1 },
        inputs: vec![first],
        references: vec![],
        params: vec![],
        outputs: vec![Output { owner: address(&key(3)), type_tag: TypeTag::COIN, data: coin_data(1) }],
        signer: address(&key(3)),
    }
    .sign(&key(3));
    assert_eq!(state.apply(&transfer, true, &StandInCounterHost), Err(Abort::NotOwner(first.id)));

    let second = bump(&key(3), package, vec![first], ShardId(0), 1);
    let created = state.apply(&second, true, &StandInCounterHost).expect("anyone calls the contract");
    assert!(!state.is_active(&first.id));
    assert_eq!(state.object(&created[0].id).unwrap().data.last(), Some(&1), "the validator saw one input");
    let logged = state.take_events();
    let ids: Vec<_> = logged.iter().map(|logged| logged.transaction).collect();
    assert_eq!(ids, [first_call.id(), second.id()], "each committed call's events, in order; the abort logs nothing");
    assert_eq!(
        logged[1].events,
        [Event { package, type_name: "Bumped".to_owned(), data: vec![7, 1] }],
        "the event is the host's, tagged with the package"
    );
    assert!(state.take_events().is_empty(), "taken once");
}

#[test]
fn outputs_that_differ_from_the_procedures_are_rejected() {
    let mut state = ShardState::new(ShardId(0), shards(1), address(&key(200)));
    let package = state.apply(&publication(&key(1), b"\0asm".to_vec()), true, &StandInCounterHost).unwrap()[0].id;
    let honest = bump(&key(2), package, vec![], ShardId(0), 1);
    let tamper = |edit: &dyn Fn(&mut Output)| {
        let mut body = honest.body().clone();
        edit(&mut body.outputs[0]);
        body.sign(&key(2))
    };
    let expected = Err(Abort::CheckerFailed("the outputs differ from what the procedure creates".into()));
    assert_eq!(state.apply(&tamper(&|output| output.data[0] ^= 1), true, &StandInCounterHost), expected);
    assert_eq!(state.apply(&tamper(&|output| output.owner = address(&key(2))), true, &StandInCounterHost), expected);
    let wrong_type = &|output: &mut Output| output.type_tag = contract_type_tag(package, "Other");
    assert_eq!(state.apply(&tamper(wrong_type), true, &StandInCounterHost), expected);
    let digest = state.digest();

    let mut failing = honest.body().clone();
    failing.procedure = Procedure::Call { name: "fail".to_owned(), salt: 0 };
    assert_eq!(
        state.apply(&failing.sign(&key(2)), true, &StandInCounterHost),
        Err(Abort::ContractFailed("procedure fail aborted".to_owned()))
    );
    assert_eq!(state.digest(), digest, "nothing changed");
    assert!(state.apply(&honest, true, &StandInCounterHost).is_ok());
}

#[test]
fn packages_are_immutable_checked_and_named_first() {
    let mut state = ShardState::new(ShardId(0), shards(1), address(&key(200)));
    assert!(matches!(
        state.apply(&publication(&key(1), Vec::new()), true, &StandInCounterHost),
        Err(Abort::ContractFailed(reason)) if reason == "the module is empty"
    ));
    assert!(matches!(
        state.apply(&publication(&key(1), b"\0asm".to_vec()), true, &NoContracts),
        Err(Abort::ContractFailed(reason)) if reason == "this node runs no contracts"
    ));
    let package = state.apply(&publication(&key(1), b"\0asm".to_vec()), true, &StandInCounterHost).unwrap()[0];

    let consume_package = TransactionBody {
        procedure: Procedure::Call { name: "bump".to_owned(), salt: 0 },
        inputs: vec![package],
        references: vec![],
        params: vec![],
        outputs: vec![],
        signer: address(&key(1)),
    }
    .sign(&key(1));
    assert_eq!(
        state.apply(&consume_package, true, &StandInCounterHost),
        Err(Abort::Malformed("a package is never consumed".into()))
    );

    let coin = state
        .apply(
            &TransactionBody {
                procedure: Procedure::Mint { amount: 5 },
                inputs: vec![],
                references: vec![],
                params: vec![],
                outputs: vec![Output { owner: address(&key(2)), type_tag: TypeTag::COIN, data: coin_data(5) }],
                signer: address(&key(200)),
            }
            .sign(&key(200)),
            true,
            &StandInCounterHost,
        )
        .unwrap()[0];
    let no_package = TransactionBody {
        procedure: Procedure::Call { name: "bump".to_owned(), salt: 0 },
        inputs: vec![],
        references: vec![coin],
        params: vec![],
        outputs: vec![],
        signer: address(&key(2)),
    }
    .sign(&key(2));
    assert_eq!(
        state.apply(&no_package, true, &StandInCounterHost),
        Err(Abort::Malformed("a call names its contract's package as its first reference input".into()))
    );
}

#[test]
fn contract_transactions_round_trip_and_oversized_packages_are_refused() {
    let call = bump(&key(2), ObjectId([7; 32]), vec![], ShardId(0), 1);
    assert_eq!(Transaction::from_bytes(&call.to_bytes()).unwrap(), call);
    let publish = publication(&key(1), vec![1; 40 * 1024]);
    assert_eq!(Transaction::from_bytes(&publish.to_bytes()).unwrap(), publish);

    let too_big = Package { wasm: vec![0; PACKAGE_BYTES_MAX], metadata: Vec::new(), links: Vec::new() }.to_bytes();
    assert!(matches!(Package::from_bytes(&too_big), Err(DecodeError::TooLong { what: "package", .. })));

    let mut long_name = call.body().clone();
    long_name.procedure = Procedure::Call { name: "x".repeat(500), salt: 0 };
    let bytes = long_name.sign(&key(2)).to_bytes();
    assert!(matches!(Transaction::from_bytes(&bytes), Err(DecodeError::TooLong { what: "procedure name", .. })));
}
