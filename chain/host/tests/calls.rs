//! Calls between contracts on the chain (`examples/calls/`): a caller's
//! package links to the called contract's package, which its publication
//! reads, and every shard checks that the linked package publishes the
//! interface the caller was built against. A call's transaction records
//! its calls of the linked contract; every validator checks the caller
//! against the records and each record with the called procedure's own
//! checker, and refuses records that differ from what it does.

mod common;

use common::{Chain, address, call, key, package, placed, prepare, shards};
use ed25519_dalek::SigningKey;
use min_analysis::Workspace;
use min_chain::contracts::Package;
use min_chain::contracts::{contract_owner, contract_type_tag};
use min_chain::objects::Object;
use min_chain::objects::{ObjectId, ObjectRef, TypeTag};
use min_chain::state::Abort;
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody};
use min_contract_host::LinkedContract;
use min_contract_host::load_package;
use min_runtime::Value;
use min_runtime::calls::NestedCall;
use min_runtime::{Contract, TypeDesc};
use std::sync::Arc;

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

/// A contract of module `Mall` that calls both Gold and the shop, built
/// beside copies of the two examples, with the modules it calls in the
/// order of its links.
fn mall() -> (Package, Vec<String>) {
    let dir = std::env::temp_dir().join(format!("min-host-mall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for example in ["Gold.min", "Shop.min"] {
        let from = format!("{}/../../examples/calls/{example}", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(from, dir.join(example)).unwrap();
    }
    let source = "\
import Gold
import Shop

procedure tip : Signer → Gold.Coin → ℕ → S → (Gold.Coin, Gold.Coin)
tip me coin amount to = Gold.pay me coin amount to

procedure buy : Signer → Shop.Stall → Gold.Coin → (Shop.Stall, Gold.Coin, Gold.Coin)
buy me stall coin = Shop.buy me stall coin
";
    std::fs::write(dir.join("Mall.min"), source).unwrap();
    let mut workspace = Workspace::new();
    let file = minc::load::load(&mut workspace, &dir.join("Mall.min")).expect("the mall loads");
    let artifact = minc::artifact::build(&workspace, file).expect("the mall builds");
    let _ = std::fs::remove_dir_all(&dir);
    let modules = artifact.calls.iter().map(|called| called.module.clone()).collect();
    (Package { wasm: artifact.wasm, metadata: artifact.metadata.into_bytes(), links: Vec::new() }, modules)
}

#[test]
fn a_caller_that_would_reach_two_contracts_of_one_module_is_refused_at_publication() {
    let (mut chain, _, _) = gold_and_shop();
    let (shop_id, gold_id) = (chain.package, chain.linked[0].package);
    // Another Gold with the same interface (only a message differs), as another package.
    let gold_text = std::fs::read_to_string(format!("{}/../../examples/calls/Gold.min", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .replace("\"the coin holds less than that\"", "\"not enough gold\"");
    let mut workspace = Workspace::new();
    let file = workspace.add_file("Gold.min", gold_text);
    let artifact = minc::artifact::build(&workspace, file).expect("the twin builds");
    let twin = Package { wasm: artifact.wasm, metadata: artifact.metadata.into_bytes(), links: Vec::new() };
    let twin_id = publish(&mut chain, &twin, &[]).expect("the twin publishes");

    let (mall, modules) = mall();
    let links_with = |gold: ObjectId| -> Vec<ObjectId> {
        modules.iter().map(|module| if module == "Gold" { gold } else { shop_id }).collect()
    };
    // Linked to the twin, the mall would reach two `Gold`s: the twin, and the one the shop calls.
    let links = links_with(twin_id);
    let refused = publish(&mut chain, &linked(mall.clone(), &links), &links);
    let Err(Abort::ContractFailed(reason)) = refused else { panic!("refused: {refused:?}") };
    assert!(reason.contains("reaches two contracts of module `Gold`"), "{reason}");
    // Linked to the Gold the shop calls, it publishes.
    let links = links_with(gold_id);
    assert!(publish(&mut chain, &linked(mall, &links), &links).is_ok());
}

/// Gold and a shop linked to it, published on both shards; the chain's
/// calls go to the shop. Also gives the two contracts, loaded.
fn gold_and_shop() -> (Chain, Contract, Arc<Contract>) {
    let gold = package("calls/Gold.min");
    let mut chain = Chain::new(&gold);
    let gold_id = chain.package;
    let shop = linked(package("calls/Shop.min"), &[gold_id]);
    chain.package = publish(&mut chain, &shop, &[gold_id]).unwrap();
    let gold = Arc::new(load_package(&gold).unwrap());
    chain.linked = vec![LinkedContract { package: gold_id, contract: gold.clone() }];
    (chain, load_package(&shop).unwrap(), gold)
}

/// Calls Gold's `procedure` directly (not through the shop) and applies it:
/// the objects it creates.
fn call_gold(
    chain: &mut Chain,
    gold: &Contract,
    who: &SigningKey,
    procedure: &str,
    inputs: &[Object],
    params: &[Value<'_>],
) -> Vec<Object> {
    let shop = std::mem::replace(&mut chain.package, chain.linked[0].package);
    let linked = std::mem::take(&mut chain.linked);
    let (transaction, _) = call(gold, chain, who, procedure, inputs, params).unwrap();
    let created = chain.apply(&transaction).unwrap();
    (chain.package, chain.linked) = (shop, linked);
    created
}

/// A stall of ada's selling at 4, and a coin of 10 gold that bob holds.
fn stall_and_coin(chain: &mut Chain, shop: &Contract, gold: &Contract) -> (Object, Object) {
    let (minter, ada, bob) = (key(5), key(2), key(3));
    let treasury = call_gold(chain, gold, &minter, "start", &[], &[]).remove(0);
    let minted = [Value::Nat(10), Value::Str(address(&bob).to_string().into())];
    let coin = call_gold(chain, gold, &minter, "mint", &[treasury], &minted).remove(1);
    let (open, _) = call(shop, chain, &ada, "open", &[], &[Value::Nat(4)]).unwrap();
    (chain.apply(&open).unwrap().remove(0), coin)
}

/// The value an object holds, as Min prints it, read with `contract`'s
/// type `type_name`.
fn shown(contract: &Contract, object: &Object, type_name: &str) -> String {
    let ty = TypeDesc::Data { name: type_name.to_owned(), args: Vec::new() };
    contract.decode(&object.data, &ty).unwrap().to_string()
}

#[test]
fn a_sale_runs_across_two_contracts_and_each_keeps_its_own_objects() {
    let (mut chain, shop, gold) = gold_and_shop();
    let gold_id = chain.linked[0].package;
    let (stall, coin) = stall_and_coin(&mut chain, &shop, &gold);
    let bob = key(3);

    let prepared = prepare(&shop, &chain, &bob, "buy", &[stall.clone(), coin.clone()], &[]).unwrap();
    assert_eq!(prepared.records.len(), 1, "the sale records its one call of Gold.pay");
    assert_eq!(prepared.records[0].procedure, "Gold.pay");
    let sale = prepared.body.sign(&bob);
    let created = chain.apply(&sale).expect("every validator checks both contracts");

    assert_eq!(created[0].type_tag, contract_type_tag(chain.package, "Shop.Stall"));
    assert!(shown(&shop, &created[0], "Shop.Stall").contains("sold = 1"));
    for coin in &created[1..] {
        assert_eq!(coin.type_tag, contract_type_tag(gold_id, "Gold.Coin"), "a coin stays Gold's");
        assert_eq!(coin.owner, contract_owner(gold_id), "and only Gold's procedures consume it");
    }
    let (ada, bob) = (address(&key(2)).to_string(), address(&bob).to_string());
    assert_eq!(shown(&gold, &created[1], "Gold.Coin"), format!(r#"{{owner = "{bob}", units = {{amount = 6}}}}"#));
    assert_eq!(shown(&gold, &created[2], "Gold.Coin"), format!(r#"{{owner = "{ada}", units = {{amount = 4}}}}"#));
    let spent = chain.apply(&sale);
    assert_eq!(spent, Err(Abort::InactiveObject(stall.id)), "the stall and the coin are spent once");
}

#[test]
fn a_sale_front_run_by_a_new_price_aborts_instead_of_paying_it() {
    let (mut chain, shop, gold) = gold_and_shop();
    let (stall, coin) = stall_and_coin(&mut chain, &shop, &gold);
    let (ada, bob) = (key(2), key(3));
    let sale = prepare(&shop, &chain, &bob, "buy", &[stall.clone(), coin.clone()], &[]).unwrap().body.sign(&bob);

    // The keeper's new price is ordered first (a keeper watching for sales
    // could have sent it on seeing bob's): the sale names the stall's old
    // version, so it aborts rather than pay 9.
    let (reprice, _) = call(&shop, &chain, &ada, "reprice", std::slice::from_ref(&stall), &[Value::Nat(9)]).unwrap();
    let repriced = chain.apply(&reprice).unwrap().remove(0);
    assert_eq!(chain.apply(&sale), Err(Abort::InactiveObject(stall.id)));
    assert!(chain.states[1].is_active(&coin.id), "bob's coin is untouched");

    // Bob sees the new price and buys knowingly.
    let again = prepare(&shop, &chain, &bob, "buy", &[repriced, coin], &[]).unwrap().body.sign(&bob);
    let paid = chain.apply(&again).unwrap().remove(2);
    assert!(shown(&gold, &paid, "Gold.Coin").contains("amount = 9"), "{}", shown(&gold, &paid, "Gold.Coin"));
}

/// The sale's transaction with `tamper` applied to its records and
/// outputs, placed on the shard of its inputs and signed by bob; the
/// reason the checkers refuse it for.
fn tampered(tamper: impl FnOnce(&mut Vec<NestedCall>, &mut Vec<Output>)) -> String {
    let (mut chain, shop, gold) = gold_and_shop();
    let (stall, coin) = stall_and_coin(&mut chain, &shop, &gold);
    refusal(&mut chain, &shop, "buy", &[stall, coin], tamper)
}

/// Bob's call of `procedure` on `inputs`, prepared honestly, then with
/// `tamper` applied to its records and outputs and signed: the reason the
/// checkers refuse it for.
fn refusal(
    chain: &mut Chain,
    contract: &Contract,
    procedure: &str,
    inputs: &[Object],
    tamper: impl FnOnce(&mut Vec<NestedCall>, &mut Vec<Output>),
) -> String {
    let bob = key(3);
    let prepared = prepare(contract, chain, &bob, procedure, inputs, &[]).unwrap();
    let (mut records, mut body) = (prepared.records.clone(), prepared.body.clone());
    tamper(&mut records, &mut body.outputs);
    let info = contract.procedure(procedure).unwrap();
    body.params = min_contract_host::append_claim(contract, info, &[], &[], &records).unwrap();
    match chain.apply(&placed(body, &bob)) {
        Err(Abort::CheckerFailed(reason)) => reason.to_string(),
        other => panic!("a checker refuses the tampered records: {other:?}"),
    }
}

#[test]
fn records_that_differ_from_what_the_called_contract_does_are_refused() {
    let dropped = tampered(|records, _| records.clear());
    assert!(dropped.contains("the call of Gold.pay is not among the calls the transaction records"), "{dropped}");

    let doubled = tampered(|records, _| records.push(records[0].clone()));
    assert!(doubled.contains("records calls of other contracts that Shop.buy does not make"), "{doubled}");

    let renamed = tampered(|records, _| records[0].procedure = "Gold.value".to_owned());
    assert!(renamed.contains("records a call of Gold.value where Gold.pay is called"), "{renamed}");

    // The payment and the change trade places in the record and in the
    // outputs alike: the shop's checker, which takes the record's word,
    // accepts; Gold's own checker, run on the record, does not.
    let swapped = tampered(|records, outputs| {
        records[0].result.swap(0, 1);
        outputs.swap(1, 2);
    });
    assert!(swapped.contains("Gold.pay makes other results than the transaction claims"), "{swapped}");
}

#[test]
fn another_contracts_object_is_consumed_only_by_a_contract_linked_to_it() {
    let (mut chain, shop, gold) = gold_and_shop();
    let (_, coin) = stall_and_coin(&mut chain, &shop, &gold);
    let bank = package("bank.min");
    let bank_id = publish(&mut chain, &bank, &[]).unwrap();
    chain.package = bank_id;
    chain.linked.clear();
    let bank = load_package(&bank).unwrap();
    let (open, _) = call(&bank, &chain, &key(3), "open", &[], &[Value::Str("bob".into())]).unwrap();
    let account = chain.apply(&open).unwrap().remove(0);
    let mut body =
        prepare(&bank, &chain, &key(3), "deposit", std::slice::from_ref(&account), &[Value::Nat(1)]).unwrap().body;
    body.inputs.push(coin.reference());
    let refused = chain.apply(&placed(body, &key(3)));
    assert_eq!(refused, Err(Abort::NotOwner(coin.id)), "the bank does not link to Gold");
}

#[test]
fn a_sale_with_any_byte_of_its_parameters_changed_is_refused_and_changes_nothing() {
    use proptest::test_runner::{Config, TestRunner};
    let (mut chain, shop, gold) = gold_and_shop();
    let (stall, coin) = stall_and_coin(&mut chain, &shop, &gold);
    let bob = key(3);
    let body = prepare(&shop, &chain, &bob, "buy", &[stall.clone(), coin.clone()], &[]).unwrap().body;
    let state = std::cell::RefCell::new(chain.states.remove(1));
    let digest = state.borrow().digest();
    let mut runner = TestRunner::new(Config { cases: 96, failure_persistence: None, ..Config::default() });
    let changes = (0..body.params.len(), 1..=255u8);
    runner
        .run(&changes, |(at, flip)| {
            let mut changed = body.clone();
            changed.params[at] ^= flip;
            let outcome = state.borrow_mut().apply(&placed(changed, &bob), true, &chain.host);
            proptest::prop_assert!(outcome.is_err(), "byte {} changed by {:#x} is accepted", at, flip);
            proptest::prop_assert_eq!(state.borrow().digest(), digest);
            Ok(())
        })
        .unwrap();
    let mut state = state.into_inner();
    assert!(state.is_active(&stall.id) && state.is_active(&coin.id));
    assert!(state.apply(&placed(body, &bob), true, &chain.host).is_ok(), "the sale itself still goes through");
}

/// Gold, a shop linked to it and a basket linked to the shop, published on
/// both shards, with two stalls (ada's at 4, cy's at 5) and bob's coin of
/// 10; the chain's calls go to the basket, which reaches the shop and,
/// through it, Gold. Also gives the basket and Gold, loaded.
fn basket_and_stalls() -> (Chain, Contract, Arc<Contract>, [Object; 3]) {
    let (mut chain, shop, gold) = gold_and_shop();
    let (first, coin) = stall_and_coin(&mut chain, &shop, &gold);
    let (open, _) = call(&shop, &chain, &key(4), "open", &[], &[Value::Nat(5)]).unwrap();
    let second = chain.apply(&open).unwrap().remove(0);
    let shop_id = chain.package;
    let basket = linked(package("calls/Basket.min"), &[shop_id]);
    chain.package = publish(&mut chain, &basket, &[shop_id]).unwrap();
    let shop = LinkedContract { package: shop_id, contract: Arc::new(shop) };
    // The client reaches every contract the validators reach: the shop, and Gold through it.
    chain.linked.insert(0, shop);
    (chain, load_package(&basket).unwrap(), gold, [first, second, coin])
}

#[test]
fn a_basket_buys_from_two_stalls_through_calls_nested_two_deep() {
    let (mut chain, basket, gold, [first, second, coin]) = basket_and_stalls();
    let (shop_id, gold_id) = (chain.linked[0].package, chain.linked[1].package);
    let bob = key(3);
    let prepared = prepare(&basket, &chain, &bob, "buy_both", &[first.clone(), second.clone(), coin.clone()], &[]);
    let prepared = prepared.unwrap();
    let called: Vec<Vec<&str>> = prepared
        .records
        .iter()
        .map(|record| record.flattened().iter().map(|call| call.procedure.as_str()).collect())
        .collect();
    assert_eq!(called, [["Shop.buy", "Gold.pay"], ["Shop.buy", "Gold.pay"]], "each sale records its payment");
    let created = chain.apply(&prepared.body.sign(&bob)).expect("every validator checks all three contracts");

    for stall in &created[..2] {
        assert_eq!(stall.type_tag, contract_type_tag(shop_id, "Shop.Stall"), "a stall stays the shop's");
        assert_eq!(stall.owner, contract_owner(shop_id));
    }
    let coins: Vec<String> = created[2..].iter().map(|coin| shown(&gold, coin, "Gold.Coin")).collect();
    for coin in &created[2..] {
        assert_eq!(coin.type_tag, contract_type_tag(gold_id, "Gold.Coin"), "a coin stays Gold's");
        assert_eq!(coin.owner, contract_owner(gold_id));
    }
    let [bob, ada, cy] = [3, 2, 4].map(|seed| address(&key(seed)).to_string());
    assert_eq!(
        coins,
        [
            format!(r#"{{owner = "{bob}", units = {{amount = 1}}}}"#),
            format!(r#"{{owner = "{ada}", units = {{amount = 4}}}}"#),
            format!(r#"{{owner = "{cy}", units = {{amount = 5}}}}"#),
        ]
    );
    assert!([&first, &second, &coin].iter().all(|object| !chain.states[1].is_active(&object.id)));
}

/// The basket's purchase with `tamper` applied to its records and outputs,
/// signed by bob; the reason the checkers refuse it for.
fn tampered_basket(tamper: impl FnOnce(&mut Vec<NestedCall>, &mut Vec<Output>)) -> String {
    let (mut chain, basket, _, objects) = basket_and_stalls();
    refusal(&mut chain, &basket, "buy_both", &objects, tamper)
}

#[test]
fn records_nested_under_a_call_that_differ_from_what_their_contract_does_are_refused() {
    let dropped = tampered_basket(|records, _| records[1].calls.clear());
    assert!(dropped.contains("the call of Gold.pay is not among the calls the transaction records"), "{dropped}");

    let doubled = tampered_basket(|records, _| {
        let payment = records[1].calls[0].clone();
        records[1].calls.push(payment);
    });
    assert!(doubled.contains("records calls of other contracts that Shop.buy does not make"), "{doubled}");

    // The second sale's payment and change trade places at every depth:
    // in Gold.pay's record, in the shop's record of the sale, and in the
    // basket's outputs. The basket's checker takes the shop's record's
    // word and the shop's checker takes Gold's; Gold's own checker, run on
    // the innermost record, refuses.
    let swapped = tampered_basket(|records, outputs| {
        records[1].calls[0].result.swap(0, 1);
        records[1].result.swap(1, 2);
        outputs.swap(2, 4);
    });
    assert!(swapped.contains("Gold.pay makes other results than the transaction claims"), "{swapped}");

    // The shop's record of the second sale claims a second copy of cy's
    // payment instead of bob's change, and so do the basket's outputs: the
    // basket's checker and its ledger take the record's word; the shop's
    // checker, answering Gold.pay from its honest record, refuses.
    let forged = tampered_basket(|records, outputs| {
        records[1].result[1] = records[1].result[2].clone();
        outputs[2] = outputs[4].clone();
    });
    assert!(forged.contains("Shop.buy makes other results than the transaction claims"), "{forged}");
}
