//! The checkers `minc build` compiles into a contract's module: each
//! accepts the result a real execution made, and refuses that result with
//! any one field of any component changed, a claim on arguments the
//! procedure aborts on, and claims of the wrong shape.

mod common;

use std::rc::Rc;
use std::sync::OnceLock;

use min_interp::{Data, Pair};
use min_runtime::{Contract, Engine, ExecError, Outcome, Value, Verdict};
use proptest::prelude::*;

const GAS: u64 = 10_000_000;

/// An example contract, built by the real compiler and loaded from its bytes.
fn build(name: &str) -> Contract {
    common::contract(&format!("../examples/{name}"))
}

fn ledger() -> &'static Contract {
    static LEDGER: OnceLock<Contract> = OnceLock::new();
    LEDGER.get_or_init(|| build("ledger.min"))
}

fn token() -> &'static Contract {
    static TOKEN: OnceLock<Contract> = OnceLock::new();
    TOKEN.get_or_init(|| build("token.min"))
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("an engine starts"))
}

/// A procedure call: its name, the objects it consumes and its parameters.
struct Call<'c> {
    procedure: &'static str,
    inputs: Vec<Value<'c>>,
    params: Vec<Value<'c>>,
}

impl<'c> Call<'c> {
    fn run(&self, contract: &'c Contract) -> Outcome<'c> {
        contract
            .call(engine(), self.procedure, &self.inputs, &self.params, GAS)
            .unwrap_or_else(|error| panic!("{} runs: {error}", self.procedure))
    }

    /// Whether the checker accepts `claimed`; `Err` for a claim it cannot check.
    fn accepts(&self, contract: &'c Contract, claimed: &[Value<'c>]) -> Result<bool, ExecError> {
        match contract.check(engine(), self.procedure, &self.inputs, &self.params, claimed, GAS)? {
            Verdict::Accepted(_) => Ok(true),
            Verdict::Refused { .. } => Ok(false),
        }
    }
}

/// Every value that differs from `value` in exactly one number, string,
/// character or boolean inside it: each keeps the value's type.
fn tampered<'p>(value: &Value<'p>) -> Vec<Value<'p>> {
    match value {
        Value::Nat(n) => vec![Value::Nat(n ^ 1)],
        Value::Int(i) => vec![Value::Int(i ^ 1)],
        Value::Bool(b) => vec![Value::Bool(!b)],
        Value::Char(c) => vec![Value::Char(if *c == 'a' { 'b' } else { 'a' })],
        Value::Str(s) => vec![Value::string(&format!("{s}x"))],
        Value::Real(r) => vec![Value::Real(r + 1.0)],
        Value::Tuple(items) => each_changed(items).into_iter().map(|items| Value::Tuple(items.into())).collect(),
        Value::Cons(pair) => {
            let pair_of = |head: Value<'p>, tail: Value<'p>| Value::Cons(Rc::new(Pair { head, tail }));
            let heads = tampered(&pair.head).into_iter().map(|head| pair_of(head, pair.tail.clone()));
            let tails = tampered(&pair.tail).into_iter().map(|tail| pair_of(pair.head.clone(), tail));
            heads.chain(tails).collect()
        }
        Value::Data(data) => each_changed(&data.fields)
            .into_iter()
            .map(|fields| Value::Data(Rc::new(Data { constructor: data.constructor, fields })))
            .collect(),
        Value::Unit | Value::Nil | Value::Function(_) => Vec::new(),
    }
}

/// `items` with one of them tampered, in every way [`tampered`] gives.
fn each_changed<'p>(items: &[Value<'p>]) -> Vec<Vec<Value<'p>>> {
    let mut changed = Vec::new();
    for (index, item) in items.iter().enumerate() {
        for replacement in tampered(item) {
            let mut copy = items.to_vec();
            copy[index] = replacement;
            changed.push(copy);
        }
    }
    changed
}

/// The checker accepts what the call made, and refuses each tampered claim;
/// returns how many claims it refused.
fn accepts_the_real_result_only<'c>(contract: &'c Contract, call: &Call<'c>) -> usize {
    let outcome = call.run(contract);
    match contract.check(engine(), call.procedure, &call.inputs, &call.params, &outcome.result, GAS) {
        Ok(Verdict::Accepted(accepted)) => {
            let shown = |values: &[Value<'_>]| values.iter().map(ToString::to_string).collect::<Vec<_>>();
            assert_eq!(shown(&accepted.outputs), shown(&outcome.outputs));
            assert_eq!(shown(&accepted.returns), shown(&outcome.returns));
            assert_eq!(accepted.events.len(), outcome.events.len());
            assert!(accepted.gas_used > 0 && accepted.gas_used <= GAS, "{}", call.procedure);
        }
        other => panic!("{}'s checker refused the real result: {other:?}", call.procedure),
    }
    let claims = each_changed(&outcome.result);
    for claim in &claims {
        let shown: Vec<String> = claim.iter().map(ToString::to_string).collect();
        assert_eq!(call.accepts(contract, claim), Ok(false), "{} accepted {shown:?}", call.procedure);
    }
    claims.len()
}

fn signer<'c>(contract: &'c Contract, address: &str) -> Value<'c> {
    contract.signer_value(address).expect("the token takes signers")
}

#[test]
fn the_ledgers_checkers_refuse_every_changed_output_return_and_event() {
    let contract = ledger();
    let open = |who: &str| Call { procedure: "open", inputs: vec![], params: vec![Value::string(who)] }.run(contract);
    let ada = open("ada").result.remove(0);
    let bob = open("bob").result.remove(0);
    let mint = Call { procedure: "mint", inputs: vec![ada], params: vec![Value::Nat(50)] };
    assert!(accepts_the_real_result_only(contract, &mint) >= 2);
    let ada = mint.run(contract).outputs.remove(0);
    let transfer = Call { procedure: "transfer", inputs: vec![ada.clone(), bob], params: vec![Value::Nat(20)] };
    // Both wallets' fields and the event's sender, payee and amount.
    assert!(accepts_the_real_result_only(contract, &transfer) >= 7);
    let close = Call { procedure: "close", inputs: vec![ada], params: vec![] };
    assert!(accepts_the_real_result_only(contract, &close) >= 1);
}

#[test]
fn a_claim_on_arguments_the_procedure_aborts_on_is_refused() {
    let contract = ledger();
    let open = |who: &str| Call { procedure: "open", inputs: vec![], params: vec![Value::string(who)] }.run(contract);
    let (ada, bob) = (open("ada").result.remove(0), open("bob").result.remove(0));
    let overdraft = Call { procedure: "transfer", inputs: vec![ada.clone(), bob.clone()], params: vec![Value::Nat(1)] };
    let honest = Call { procedure: "transfer", inputs: vec![ada, bob], params: vec![Value::Nat(0)] };
    let claim = honest.run(contract).result;
    assert_eq!(overdraft.accepts(contract, &claim), Ok(false));
}

#[test]
fn claims_of_the_wrong_shape_or_types_are_bad_arguments() {
    let contract = ledger();
    let open = Call { procedure: "open", inputs: vec![], params: vec![Value::string("ada")] };
    let wallet = open.run(contract).result.remove(0);
    let reason = |claim: &[Value<'_>]| match contract.check(engine(), "open", &[], &[Value::string("ada")], claim, GAS)
    {
        Err(ExecError::BadArguments { reason }) => reason,
        other => panic!("not bad arguments: {other:?}"),
    };
    assert_eq!(reason(&[]), "ledger.open makes 1 result components, but the claim has 0");
    assert_eq!(reason(&[wallet.clone(), wallet]), "ledger.open makes 1 result components, but the claim has 2");
    assert!(reason(&[Value::Nat(1)]).starts_with("component 1 of the claimed result of ledger.open:"));
}

#[test]
fn the_checker_runs_within_its_gas_limit() {
    let contract = ledger();
    let open = Call { procedure: "open", inputs: vec![], params: vec![Value::string("ada")] };
    let claim = open.run(contract).result;
    let error = contract.check(engine(), "open", &[], &[Value::string("ada")], &claim, 10).unwrap_err();
    assert_eq!(error, ExecError::OutOfGas { limit: 10 });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the amounts and owners, the token's checkers accept the real
    /// results of minting and paying, and refuse each one-field change.
    #[test]
    fn the_tokens_checkers_accept_real_results_and_refuse_tampered_ones(
        minted in 1u128..1_000_000,
        share in 0u128..=100,
        admin in "[a-f0-9]{8}",
        payee in "[a-f0-9]{8}",
    ) {
        let contract = token();
        let me = signer(contract, &admin);
        let treasury = Call { procedure: "start", inputs: vec![], params: vec![me.clone()] }.run(contract).result.remove(0);
        let mint = Call {
            procedure: "mint",
            inputs: vec![treasury],
            params: vec![me.clone(), Value::Nat(minted), Value::string(&admin)],
        };
        prop_assert!(accepts_the_real_result_only(contract, &mint) >= 4);
        let coin = mint.run(contract).outputs.remove(1);
        let pay = Call {
            procedure: "pay",
            inputs: vec![coin],
            params: vec![me, Value::Nat(minted * share / 100), Value::string(&payee)],
        };
        prop_assert!(accepts_the_real_result_only(contract, &pay) >= 4);
        // Reading a coin by reference: the runtime wraps the object in its
        // `Ref`, and the checker refuses any other amount.
        let change = pay.run(contract).outputs.remove(0);
        let balance = Call { procedure: "balance", inputs: vec![change], params: vec![] };
        prop_assert_eq!(balance.run(contract).returns[0].to_string(), (minted - minted * share / 100).to_string());
        prop_assert_eq!(accepts_the_real_result_only(contract, &balance), 1);
    }
}

#[test]
fn a_reference_takes_an_object_of_its_type_and_counts_among_the_objects() {
    let contract = token();
    let treasury = Call { procedure: "start", inputs: vec![], params: vec![signer(contract, "ada")] }.run(contract);
    let bad = |inputs: &[Value<'_>]| match contract.call(engine(), "balance", inputs, &[], GAS) {
        Err(ExecError::BadArguments { reason }) => reason,
        other => panic!("not bad arguments: {other:?}"),
    };
    assert_eq!(
        bad(&[]),
        "token.balance consumes 0 objects, reads 1 by reference and takes 0 parameters, but was given 0 objects and 0 parameters"
    );
    let not_a_coin = bad(&treasury.outputs);
    assert!(not_a_coin.starts_with("parameter 1 of token.balance:"), "{not_a_coin}");
}
