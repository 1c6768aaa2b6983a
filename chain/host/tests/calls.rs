//! Publishing a contract that calls another (`examples/calls/`): its
//! package links to the called contract's package, which its publication
//! reads, and every shard checks that the linked package publishes the
//! interface the caller was built against. The chain does not run the
//! calls themselves yet: such a procedure is refused with the reason, and
//! the caller's other procedures run.

mod common;

use common::{Chain, address, call, key, package, shards};
use min_analysis::Workspace;
use min_chain::contracts::Package;
use min_chain::objects::{ObjectId, ObjectRef, TypeTag};
use min_chain::state::Abort;
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody};
use min_contract_host::load_package;
use min_runtime::Value;

/// The publication of `package`, reading `references`, signed by key 1.
fn publication(package: &Package, references: Vec<ObjectRef>) -> Transaction {
    let publisher = key(1);
    TransactionBody {
        procedure: Procedure::Publish,
        inputs: vec![],
        references,
        params: vec![],
        outputs: vec![Output { owner: address(&publisher), type_tag: TypeTag::PACKAGE, data: package.to_bytes() }],
        signer: address(&publisher),
    }
    .sign(&publisher)
}

/// `package` linked to `links`.
fn linked(mut package: Package, links: &[ObjectId]) -> Package {
    package.links = links.to_vec();
    package
}

/// Publishes `package` on every shard, its publication reading the
/// packages `reads`: the package's id, or the abort every shard agrees on.
fn publish(chain: &mut Chain, package: &Package, reads: &[ObjectId]) -> Result<ObjectId, Abort> {
    let references = reads.iter().map(|id| chain.states[0].object(id).expect("published").reference()).collect();
    let transaction = publication(package, references);
    let outcomes: Vec<Result<ObjectId, Abort>> = chain
        .states
        .iter_mut()
        .map(|state| state.apply(&transaction, true, &chain.host).map(|created| created[0].id))
        .collect();
    assert!(outcomes.iter().all(|outcome| *outcome == outcomes[0]), "the shards agree: {outcomes:?}");
    outcomes[0].clone()
}

/// A contract named `Gold` whose interface differs from the example's: its
/// `value` returns an integer.
fn other_gold() -> Package {
    let text = std::fs::read_to_string(format!("{}/../../examples/calls/Gold.min", env!("CARGO_MANIFEST_DIR")))
        .expect("the example exists")
        .replace("procedure value : Ref Coin → ℕ", "procedure value : Ref Coin → ℤ")
        .replace("value c = c.units.amount", "value c = Prim.int_of_nat c.units.amount");
    let mut workspace = Workspace::new();
    let file = workspace.add_file("Gold.min", text);
    let artifact = minc::artifact::build(&workspace, file).expect("the variant builds");
    Package { wasm: artifact.wasm, metadata: artifact.metadata.into_bytes(), links: Vec::new() }
}

#[test]
fn a_caller_is_published_linked_to_the_interface_it_was_built_against() {
    let mut chain = Chain::new(&package("calls/Gold.min"));
    let gold = chain.package;
    let shop = package("calls/Shop.min");

    let unlinked = publish(&mut chain, &shop, &[]);
    let Err(Abort::ContractFailed(reason)) = unlinked else { panic!("refused: {unlinked:?}") };
    assert!(reason.contains("calls 1 contracts, and its package links to 0"), "{reason}");

    let bank = publish(&mut chain, &package("bank.min"), &[]).expect("the bank publishes");
    let wrong = publish(&mut chain, &linked(shop.clone(), &[bank]), &[bank]);
    let Err(Abort::ContractFailed(reason)) = wrong else { panic!("refused: {wrong:?}") };
    assert!(reason.contains("the package linked for `Gold` publishes `bank`"), "{reason}");

    let imposter = publish(&mut chain, &other_gold(), &[]).expect("another Gold publishes");
    let changed = publish(&mut chain, &linked(shop.clone(), &[imposter]), &[imposter]);
    let Err(Abort::ContractFailed(reason)) = changed else { panic!("refused: {changed:?}") };
    assert!(reason.contains("was built against interface"), "{reason}");

    let unread = publish(&mut chain, &linked(shop.clone(), &[gold]), &[]);
    assert!(matches!(unread, Err(Abort::Malformed(_))), "a publication reads the packages it links to: {unread:?}");

    let shop_id =
        publish(&mut chain, &linked(shop, &[gold]), &[gold]).expect("linked to the real Gold, the shop publishes");
    let stored = Package::from_bytes(&chain.states[1].object(&shop_id).unwrap().data).unwrap();
    assert_eq!(stored.links, [gold], "the package keeps its links");
    assert_eq!(shards().get(), chain.states.len() as u32);
}

#[test]
fn a_callers_other_procedures_run_and_its_calls_are_refused_with_the_reason() {
    let mut chain = Chain::new(&package("calls/Gold.min"));
    let gold = chain.package;
    let shop = linked(package("calls/Shop.min"), &[gold]);
    let shop_id = publish(&mut chain, &shop, &[gold]).unwrap();
    chain.package = shop_id;
    let contract = load_package(&shop).unwrap();
    let ada = key(2);
    let (open, _) = call(&contract, &chain, &ada, "open", &[], &[Value::Nat(4)]).unwrap();
    let stall = chain.apply(&open).unwrap().remove(0);
    assert_eq!(stall.type_tag, min_chain::contracts::contract_type_tag(shop_id, "Shop.Stall"));

    let refused =
        call(&contract, &chain, &ada, "buy", &[stall], &[]).map(drop).expect_err("the client refuses to run it");
    assert!(refused.contains("Shop.buy calls Gold.pay of another contract"), "{refused}");
}
