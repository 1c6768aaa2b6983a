//! Calls between contracts on the runtime: `examples/calls/Shop.min` buys
//! with the coins of `examples/calls/Gold.min`. Built, the shop calls
//! `Gold.pay` through the contract runtime: a client runs it on the gold
//! contract and records the call; a checker takes the recorded result,
//! but only for exactly the recorded arguments, and the gold contract's
//! own checker judges the record.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use min_runtime::calls::{Claimed, Linked, NestedCall};
use min_runtime::{Contract, ContractCalls, Engine, ExecError, Outcome, Value, Verdict};

const GAS: u64 = 10_000_000;

/// The contract of `file` in `workspace`, built by the compiler and loaded
/// by the runtime.
fn built(workspace: &min_analysis::Workspace, file: min_analysis::db::SourceFile) -> Contract {
    let artifact = minc::artifact::build(workspace, file).expect("it builds");
    Contract::load(&artifact.wasm, artifact.metadata.as_bytes()).expect("the runtime loads it")
}

/// The gold contract and the shop, built by the compiler.
fn contracts() -> (Arc<Contract>, Contract) {
    let (workspace, shop) = common::loaded("../examples/calls/Shop.min");
    let gold = workspace.module_file("Gold").expect("the shop imports the gold contract");
    (Arc::new(built(&workspace, gold)), built(&workspace, shop))
}

/// The contracts a shop's call may call.
fn linked(gold: &Arc<Contract>) -> BTreeMap<String, Arc<Contract>> {
    BTreeMap::from([("Gold".to_string(), gold.clone())])
}

/// `value`, a gold contract's, as the shop reads its `procedure`'s argument `index`.
fn across<'s>(shop: &'s Contract, value: &Value<'_>, procedure: &str, index: usize) -> Value<'s> {
    let ty = &shop.procedure(procedure).unwrap().arguments[index].r#type;
    shop.adopt(value, ty).unwrap().1
}

/// A coin of `amount` for `owner`, minted by `mint`'s treasury.
fn coin<'g>(gold: &'g Contract, engine: &Engine, owner: &str, amount: u128) -> Value<'g> {
    let mint = gold.signer_value("mint").unwrap();
    let treasury = gold.call(engine, "start", &[], std::slice::from_ref(&mint), GAS).unwrap().outputs.remove(0);
    let params = [mint, Value::Nat(amount), Value::Str(owner.into())];
    gold.call(engine, "mint", &[treasury], &params, GAS).unwrap().outputs.remove(1)
}

/// `buy` of `buyer` at a stall of `keeper` selling at `price`, paying with
/// `coin`, run for its result with the gold contract linked.
fn buy<'s>(
    gold: &Arc<Contract>,
    shop: &'s Contract,
    engine: &Engine,
    buyer: &str,
    coin: &Value<'_>,
) -> (Result<Outcome<'s>, ExecError>, Vec<NestedCall>, [Value<'s>; 3]) {
    let keeper = shop.signer_value("ada").unwrap();
    let stall = shop.call(engine, "open", &[], &[keeper, Value::Nat(4)], GAS).unwrap().outputs.remove(0);
    let coin = across(shop, coin, "buy", 2);
    let signer = shop.signer_value(buyer).unwrap();
    let (handler, trace) = Linked::new(linked(gold), engine, GAS);
    let inputs = [stall.clone(), coin.clone()];
    let outcome = shop.call_with(engine, "buy", &inputs, std::slice::from_ref(&signer), GAS, Some(Box::new(handler)));
    let made = trace.borrow().calls.clone();
    (outcome, made, [stall, coin, signer])
}

#[test]
fn a_client_runs_the_called_procedure_on_its_own_contract_and_records_the_call() {
    let (gold, shop) = contracts();
    let engine = Engine::new().unwrap();
    let coin = coin(&gold, &engine, "bob", 10);
    let (outcome, made, _) = buy(&gold, &shop, &engine, "bob", &coin);
    let outcome = outcome.expect("the sale goes through");
    let shown: Vec<String> = outcome.outputs.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            r#"{keeper = "ada", price = 4, sold = 1}"#,
            r#"{owner = "bob", units = {amount = 6}}"#,
            r#"{owner = "ada", units = {amount = 4}}"#,
        ]
    );
    let [call] = made.as_slice() else { panic!("one call of the gold contract: {made:?}") };
    assert_eq!(call.procedure, "Gold.pay");
    assert_eq!((call.arguments.len(), call.result.len()), (4, 2), "a signer, a coin, an amount and a payee; two coins");
    assert!(call.gas_used > 0 && call.gas_used < outcome.gas_used * 10, "the call's own gas: {}", call.gas_used);
    // The record holds the gold contract's encodings of what the shop got.
    let pay = gold.procedure("pay").unwrap();
    let paid = gold.decode(&call.result[1], &pay.results[1].r#type).unwrap();
    assert_eq!(paid.to_string(), shown[2]);
}

#[test]
fn a_checker_takes_the_recorded_result_only_for_the_recorded_arguments() {
    let (gold, shop) = contracts();
    let engine = Engine::new().unwrap();
    let coin = coin(&gold, &engine, "bob", 10);
    let (outcome, made, [stall, coin, signer]) = buy(&gold, &shop, &engine, "bob", &coin);
    let claim = outcome.unwrap().result;
    let check = |records: Vec<NestedCall>| {
        let (handler, answered) = Claimed::new(linked(&gold), records);
        let handler: Box<dyn ContractCalls> = Box::new(handler);
        let inputs = [stall.clone(), coin.clone()];
        let verdict = shop
            .check_with(&engine, "buy", &inputs, std::slice::from_ref(&signer), &claim, GAS, Some(handler))
            .expect("the checker runs");
        (verdict, answered.get())
    };

    let (verdict, answered) = check(made.clone());
    assert!(matches!(verdict, Verdict::Accepted(_)), "{verdict:?}");
    assert_eq!(answered, 1, "the one recorded call was made");

    // A record of a call at another price: the shop passes 4, not 3.
    let mut cheaper = made.clone();
    let pay = gold.procedure("pay").unwrap();
    cheaper[0].arguments[2] = gold.encode(&Value::Nat(3), &pay.arguments[2].r#type).unwrap();
    let (verdict, _) = check(cheaper);
    let Verdict::Refused { aborted: Some(reason) } = verdict else { panic!("refused: {verdict:?}") };
    assert!(reason.contains("passes other arguments"), "{reason}");

    // No record of the call at all.
    let (verdict, _) = check(Vec::new());
    let Verdict::Refused { aborted: Some(reason) } = verdict else { panic!("refused: {verdict:?}") };
    assert!(reason.contains("not among the calls"), "{reason}");
}

#[test]
fn the_called_contracts_checker_judges_the_record() {
    let (gold, shop) = contracts();
    let engine = Engine::new().unwrap();
    let coin_value = coin(&gold, &engine, "bob", 10);
    let (_, made, _) = buy(&gold, &shop, &engine, "bob", &coin_value);
    let record = &made[0];
    let pay = gold.procedure("pay").unwrap();
    let decode = |index: usize, bytes: &[u8]| gold.decode(bytes, &pay.arguments[index].r#type).unwrap();
    let (signer, coin, amount, payee) = (
        decode(0, &record.arguments[0]),
        decode(1, &record.arguments[1]),
        decode(2, &record.arguments[2]),
        decode(3, &record.arguments[3]),
    );
    let result = |bytes: &[Vec<u8>]| -> Vec<Value<'_>> {
        bytes.iter().zip(&pay.results).map(|(bytes, slot)| gold.decode(bytes, &slot.r#type).unwrap()).collect()
    };
    let params = [signer, amount, payee];
    let honest =
        gold.check(&engine, "pay", std::slice::from_ref(&coin), &params, &result(&record.result), GAS).unwrap();
    assert!(matches!(honest, Verdict::Accepted(_)), "{honest:?}");

    // A record whose payment holds 5 where the coin paid 4: the shop's
    // checker would take it, the gold contract's refuses it.
    let mut inflated = record.result.clone();
    let richer = coin_of(&gold, "ada", 5);
    inflated[1] = gold.encode(&richer, &pay.results[1].r#type).unwrap();
    let verdict = gold.check(&engine, "pay", std::slice::from_ref(&coin), &params, &result(&inflated), GAS).unwrap();
    assert!(matches!(verdict, Verdict::Refused { aborted: None }), "{verdict:?}");
}

/// A gold coin value, built as a test builds one.
fn coin_of<'g>(gold: &'g Contract, owner: &str, amount: u128) -> Value<'g> {
    let units = gold.constructor("Gold.Units", "Units").unwrap();
    let coin = gold.constructor("Gold.Coin", "Coin").unwrap();
    let data = |constructor, fields| Value::Data(std::rc::Rc::new(min_interp::Data { constructor, fields }));
    data(coin, vec![Value::Str(owner.into()), data(units, vec![Value::Nat(amount)])])
}

#[test]
fn a_failed_call_fails_the_caller_and_no_handler_is_an_error() {
    let (gold, shop) = contracts();
    let engine = Engine::new().unwrap();
    let coin_value = coin(&gold, &engine, "bob", 10);
    let (outcome, made, [stall, coin, signer]) = buy(&gold, &shop, &engine, "eve", &coin_value);
    match outcome {
        Err(ExecError::Abort { message }) => assert_eq!(message, "only the owner pays from a coin"),
        other => panic!("the gold contract's abort is the shop's: {other:?}"),
    }
    assert!(made.is_empty(), "an aborted call is not recorded as made");

    let inputs = [stall, coin];
    match shop.call(&engine, "buy", &inputs, std::slice::from_ref(&signer), GAS) {
        Err(ExecError::Abort { message: reason } | ExecError::Trap { reason }) => {
            assert!(reason.contains("only in the contract runtime"), "{reason}");
        }
        other => panic!("a call between contracts needs a handler: {other:?}"),
    }
}

#[test]
fn the_calls_a_client_runs_share_one_gas_limit() {
    let (workspace, basket) = common::loaded("../examples/calls/Basket.min");
    let module = |name: &str| Arc::new(built(&workspace, workspace.module_file(name).expect("the basket imports it")));
    let (gold, shop, basket) = (module("Gold"), module("Shop"), built(&workspace, basket));
    let engine = Engine::new().unwrap();
    let contracts = BTreeMap::from([("Gold".to_string(), gold.clone()), ("Shop".to_string(), shop.clone())]);
    let coin = coin(&gold, &engine, "bob", 10);
    let stall = |keeper: &str, price: u128| {
        let keeper = shop.signer_value(keeper).unwrap();
        shop.call(&engine, "open", &[], &[keeper, Value::Nat(price)], GAS).unwrap().outputs.remove(0)
    };
    let (first, second) = (stall("ada", 4), stall("cy", 5));
    let inputs = [
        across(&basket, &first, "buy_both", 1),
        across(&basket, &second, "buy_both", 2),
        across(&basket, &coin, "buy_both", 3),
    ];
    let signer = basket.signer_value("bob").unwrap();
    let buy_both = |limit: u64| {
        let (handler, trace) = Linked::new(contracts.clone(), &engine, limit);
        let outcome =
            basket.call_with(&engine, "buy_both", &inputs, std::slice::from_ref(&signer), GAS, Some(Box::new(handler)));
        let made = trace.borrow().calls.clone();
        (outcome.map(|outcome| outcome.gas_used), made)
    };

    let (bought, made) = buy_both(GAS);
    bought.expect("both sales go through");
    let [first_sale, second_sale] = made.as_slice() else { panic!("two sales: {made:?}") };
    let ([first_payment], [second_payment]) = (first_sale.calls.as_slice(), second_sale.calls.as_slice()) else {
        panic!("each sale pays once: {made:?}")
    };
    // A call gets what the calls before it left: the second sale and its
    // payment each start with the limit less the first sale and payment.
    let total: u64 = made.iter().map(NestedCall::total_gas).sum();
    assert!(buy_both(total).0.is_ok(), "the calls' gas together is enough");
    let short = first_sale.gas_used + first_payment.gas_used + second_sale.gas_used.max(second_payment.gas_used) - 1;
    let single = made.iter().flat_map(|sale| [sale.gas_used, sale.calls[0].gas_used]).max().unwrap();
    assert!(short >= single, "each call alone would fit in {short}");
    match buy_both(short).0 {
        Err(error) => assert!(error.to_string().contains("gas"), "{error}"),
        Ok(gas) => panic!("the calls shared {short} gas and used {gas}"),
    }
}
