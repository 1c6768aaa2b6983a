//! An instance kept between calls gives exactly what a fresh one gives:
//! calls of the token, the vault and the sizes contracts in a random order,
//! aborting, trapping, growing the memory and running out of gas among
//! them, each compared with the same call in a fresh instance (same
//! outcome, same gas, or the same error). Validators that kept different
//! instances must agree on every call.

use std::sync::OnceLock;

mod common;

use common::build;
use min_runtime::{Contract, Engine, EngineLimits, ExecError, Outcome, TypeDesc, Value, Verdict};
use proptest::prelude::*;

/// A contract loaded twice: once for the engine that keeps instances, once
/// for the one that does not.
struct Twin {
    kept: Contract,
    fresh: Contract,
}

impl Twin {
    fn load(path: &str, allowed: &[&str]) -> Twin {
        let (wasm, metadata) = build(path, allowed);
        let load = || Contract::load(&wasm, &metadata).expect("the contract loads");
        Twin { kept: load(), fresh: load() }
    }
}

/// The three contracts: the token (`examples/token.min`), the vault (whose
/// `spin` and `deep` run without bound, E0807) and the sizes contract.
fn twins() -> &'static [Twin; 3] {
    static TWINS: OnceLock<[Twin; 3]> = OnceLock::new();
    TWINS.get_or_init(|| {
        [
            Twin::load("../examples/token.min", &[]),
            Twin::load("tests/contracts/vault.min", &["E0807"]),
            Twin::load("tests/contracts/sizes.min", &[]),
        ]
    })
}

/// The engine that keeps instances between calls, and one that runs every
/// call in a fresh instance.
fn engines() -> &'static (Engine, Engine) {
    static ENGINES: OnceLock<(Engine, Engine)> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let limits = EngineLimits { concurrent_calls: 2, ..EngineLimits::default() };
        let kept = Engine::with_limits(limits).expect("an engine starts");
        let fresh = Engine::with_limits(EngineLimits { idle_instances: 0, ..limits }).expect("an engine starts");
        (kept, fresh)
    })
}

const GAS: u64 = 10_000_000;
const ADA: &str = "ada";
const BOB: &str = "bob";

/// One call: which procedure, a number its arguments are chosen by, and
/// whether its gas is tight (a limit drawn below what calls usually use).
#[derive(Clone, Debug)]
struct Action {
    kind: u8,
    choice: u64,
    tight_gas: Option<u64>,
}

fn action() -> impl Strategy<Value = Action> {
    (0u8..14, any::<u64>(), prop::option::weighted(0.2, 0u64..40_000)).prop_map(|(kind, choice, tight_gas)| Action {
        kind,
        choice,
        tight_gas,
    })
}

/// What a call gave, written out in full: equal texts are equal results.
fn shown_outcome(result: &Result<Outcome<'_>, ExecError>) -> String {
    match result {
        Ok(outcome) => {
            let result: Vec<String> = outcome.result.iter().map(ToString::to_string).collect();
            let events: Vec<String> = outcome.events.iter().map(|e| format!("{} {}", e.type_name(), e.value)).collect();
            format!("ok gas {} result {result:?} events {events:?}", outcome.gas_used)
        }
        Err(error) => format!("error {error:?}"),
    }
}

fn shown_verdict(result: &Result<Verdict<'_>, ExecError>) -> String {
    match result {
        Ok(Verdict::Accepted(outcome)) => format!("accepted {}", shown_outcome(&Ok(outcome.clone()))),
        Ok(Verdict::Refused { aborted }) => format!("refused {aborted:?}"),
        Err(error) => format!("error {error:?}"),
    }
}

/// `value` of `ty`, made by the kept contract, as a value of the fresh one.
fn carried<'f>(twin: &'f Twin, value: &Value<'_>, ty: &TypeDesc) -> Value<'f> {
    let bytes = twin.kept.encode(value, ty).expect("the value encodes");
    twin.fresh.decode(&bytes, ty).expect("the value decodes")
}

/// The types of `procedure`'s arguments, in order.
fn argument_types(contract: &Contract, procedure: &str) -> Vec<TypeDesc> {
    contract.procedure(procedure).expect("the procedure exists").arguments.iter().map(|s| s.r#type.clone()).collect()
}

/// The state the calls thread through: objects the kept contracts made.
#[derive(Default)]
struct Objects<'c> {
    treasury: Option<Value<'c>>,
    coins: Vec<Value<'c>>,
    vaults: Vec<Value<'c>>,
    boxes: Vec<Value<'c>>,
}

/// Runs `procedure` of `twin` on both engines with the same arguments
/// (objects first, as `inputs`; `params` may hold a signer, made for each
/// contract), asserts the two agree, and gives the kept contract's result.
fn both<'c>(
    twin: &'c Twin,
    procedure: &str,
    inputs: &[Value<'c>],
    params: &[Param],
    gas: u64,
) -> Result<Outcome<'c>, ExecError> {
    let (kept_engine, fresh_engine) = engines();
    let types = argument_types(&twin.kept, procedure);
    let info = twin.kept.procedure(procedure).expect("the procedure exists");
    // The objects the call names: an input's type, or the object type a `Ref` reads.
    let input_types: Vec<&TypeDesc> = info
        .arguments
        .iter()
        .zip(&types)
        .filter_map(|(slot, ty)| match (slot.role, ty) {
            (min_runtime::Role::Input, ty) => Some(ty),
            (min_runtime::Role::Reference, TypeDesc::Data { args, .. }) => args.first(),
            _ => None,
        })
        .collect();
    let kept_params: Vec<Value<'c>> = params.iter().map(|p| p.value(&twin.kept)).collect();
    let fresh_params: Vec<Value<'c>> = params.iter().map(|p| p.value(&twin.fresh)).collect();
    let fresh_inputs: Vec<Value<'c>> = inputs.iter().zip(&input_types).map(|(v, t)| carried(twin, v, t)).collect();
    let kept = twin.kept.call(kept_engine, procedure, inputs, &kept_params, gas);
    let fresh = twin.fresh.call(fresh_engine, procedure, &fresh_inputs, &fresh_params, gas);
    assert_eq!(shown_outcome(&kept), shown_outcome(&fresh), "{procedure} with {gas} gas");
    if let Ok(outcome) = &kept {
        let mut claims = vec![outcome.result.clone()];
        if let Some(changed) = outcome.result.first().and_then(tampered) {
            claims.push(std::iter::once(changed).chain(outcome.result.iter().skip(1).cloned()).collect());
        }
        let result_types: Vec<TypeDesc> = info.results.iter().map(|s| s.r#type.clone()).collect();
        for claim in claims.iter().filter(|claim| claim.len() == result_types.len()) {
            let fresh_claim: Vec<Value<'c>> =
                claim.iter().zip(&result_types).map(|(v, t)| carried(twin, v, t)).collect();
            let kept_verdict = twin.kept.check(kept_engine, procedure, inputs, &kept_params, claim, gas);
            let fresh_verdict =
                twin.fresh.check(fresh_engine, procedure, &fresh_inputs, &fresh_params, &fresh_claim, gas);
            assert_eq!(shown_verdict(&kept_verdict), shown_verdict(&fresh_verdict), "the check of {procedure}");
        }
    }
    kept
}

/// `value` with its first number, string or boolean changed, if it has one.
fn tampered<'c>(value: &Value<'c>) -> Option<Value<'c>> {
    let first_changed = |items: &[Value<'c>]| {
        items.iter().enumerate().find_map(|(at, item)| {
            let changed = tampered(item)?;
            let mut items = items.to_vec();
            items[at] = changed;
            Some(items)
        })
    };
    match value {
        Value::Nat(n) => Some(Value::Nat(n ^ 1)),
        Value::Bool(b) => Some(Value::Bool(!b)),
        Value::Str(text) => Some(Value::string(&format!("{text}x"))),
        Value::Tuple(items) => first_changed(items).map(Value::tuple),
        Value::Data(data) => first_changed(&data.fields).map(|fields| Value::data(data.constructor, fields)),
        _ => None,
    }
}

/// A parameter, made for whichever contract takes it.
enum Param {
    Signer(&'static str),
    Nat(u128),
    Text(String),
    /// The sizes contract's `Line n`, or `Dot` for no length.
    Shape(Option<u128>),
    Nats(Vec<u128>),
    Pairs(Vec<(String, i128)>),
}

impl Param {
    fn value<'c>(&self, contract: &'c Contract) -> Value<'c> {
        match self {
            Param::Signer(address) => contract.signer_value(address).expect("a signer"),
            Param::Nat(n) => Value::Nat(*n),
            Param::Text(text) => Value::string(text),
            Param::Shape(length) => {
                let name = if length.is_some() { "Line" } else { "Dot" };
                let constructor = contract.constructor("sizes.Shape", name).expect("the shape's constructor");
                Value::data(constructor, length.iter().map(|n| Value::Nat(*n)).collect())
            }
            Param::Nats(items) => Value::list(items.iter().map(|n| Value::Nat(*n)).collect()),
            Param::Pairs(pairs) => {
                Value::list(pairs.iter().map(|(s, i)| Value::tuple(vec![Value::string(s), Value::Int(*i)])).collect())
            }
        }
    }
}

/// Runs `action` on both engines, keeping the objects it made.
fn run<'c>(objects: &mut Objects<'c>, action: &Action) {
    let [token, vault, sizes] = twins();
    let gas = action.tight_gas.unwrap_or(GAS);
    let choice = action.choice;
    let signer = if choice.is_multiple_of(3) { BOB } else { ADA };
    let pick = |items: &[Value<'c>]| items.get(choice as usize % items.len().max(1)).cloned();
    match action.kind {
        0 => {
            if let Ok(mut started) = both(token, "start", &[], &[Param::Signer(ADA)], gas) {
                objects.treasury = Some(started.outputs.remove(0));
            }
        }
        1 => {
            let Some(treasury) = objects.treasury.clone() else { return };
            let params = [Param::Signer(signer), Param::Nat(u128::from(choice % 1_000)), Param::Text(BOB.into())];
            if let Ok(mut minted) = both(token, "mint", &[treasury], &params, gas) {
                objects.treasury = Some(minted.outputs.remove(0));
                objects.coins.push(minted.outputs.remove(0));
            }
        }
        2 => {
            let Some(coin) = pick(&objects.coins) else { return };
            let to = if choice.is_multiple_of(2) { ADA } else { BOB };
            if let Ok(mut moved) =
                both(token, "transfer", &[coin], &[Param::Signer(signer), Param::Text(to.into())], gas)
            {
                objects.coins.push(moved.outputs.remove(0));
            }
        }
        3 => {
            let Some(coin) = pick(&objects.coins) else { return };
            let params = [Param::Signer(signer), Param::Nat(u128::from(choice % 700)), Param::Text(ADA.into())];
            if let Ok(paid) = both(token, "pay", &[coin], &params, gas) {
                objects.coins.extend(paid.outputs);
            }
        }
        4 => {
            let Some(coin) = pick(&objects.coins) else { return };
            let _ = both(token, "balance", &[coin], &[], gas);
        }
        5 => {
            let owner = "x".repeat(choice as usize % 40);
            if let Ok(mut created) = both(vault, "create", &[], &[Param::Text(owner)], gas) {
                objects.vaults.push(created.outputs.remove(0));
            }
        }
        6 => {
            let Some(v) = pick(&objects.vaults) else { return };
            if let Ok(mut put) = both(vault, "put", &[v], &[Param::Nat(u128::from(choice) << 70)], gas) {
                objects.vaults.push(put.outputs.remove(0));
            }
        }
        7 => {
            let pairs = (0..choice % 300).map(|i| (format!("k{i}"), i128::from(i as u32) - 150)).collect();
            let _ = both(vault, "total", &[], &[Param::Pairs(pairs)], gas);
        }
        8 => {
            let _ = both(vault, "spin", &[], &[Param::Nat(0)], action.tight_gas.unwrap_or(200_000));
        }
        9 => {
            let _ = both(vault, "deep", &[], &[Param::Nat(u128::from(choice % 1_500))], gas);
        }
        10 => {
            let _ = both(vault, "grow", &[], &[Param::Nat(u128::from(choice % 14))], gas);
        }
        11 => {
            // Long notes and lists grow the memory past its first pages.
            let note = "σ".repeat(choice as usize % 3 * 20_000 + choice as usize % 50);
            let items = (0..choice % 2_000).map(u128::from).collect();
            let shape = Param::Shape(choice.is_multiple_of(2).then_some(u128::from(choice % 77)));
            let params = [Param::Text(ADA.into()), Param::Text(note), Param::Nats(items), shape];
            if let Ok(mut created) = both(sizes, "create", &[], &params, gas) {
                objects.boxes.push(created.outputs.remove(0));
            }
        }
        12 => {
            let items = (0..choice % 3_000).map(u128::from).collect();
            let _ = both(sizes, "count", &[], &[Param::Nats(items)], gas);
        }
        _ => {
            let Some(b) = pick(&objects.boxes) else { return };
            let _ = both(sizes, "describe", &[b], &[], gas);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn kept_instances_give_what_fresh_ones_give(actions in prop::collection::vec(action(), 1..80)) {
        let mut objects = Objects::default();
        let setup = [
            Action { kind: 0, choice: 0, tight_gas: None },
            Action { kind: 1, choice: 1, tight_gas: None },
            Action { kind: 5, choice: 1, tight_gas: None },
        ];
        for action in setup.iter().chain(&actions) {
            run(&mut objects, action);
        }
    }
}

#[test]
fn the_engine_keeps_instances_of_calls_that_returned() {
    // Engines and contracts of its own: the property test beside it takes
    // and keeps instances of the shared ones concurrently.
    let token = Twin::load("../examples/token.min", &[]);
    let limits = EngineLimits { concurrent_calls: 2, ..EngineLimits::default() };
    let kept = &Engine::with_limits(limits).expect("an engine starts");
    let fresh = &Engine::with_limits(EngineLimits { idle_instances: 0, ..limits }).expect("an engine starts");
    for (contract, engine) in [(&token.kept, kept), (&token.fresh, fresh)] {
        let signer = contract.signer_value(ADA).expect("a signer");
        contract.call(engine, "start", &[], &[signer], GAS).expect("it starts");
    }
    assert!(kept.instances_kept() >= 1);
    assert_eq!(fresh.instances_kept(), 0);
}

#[test]
fn a_module_runs_with_the_depth_limit_it_states_even_a_false_one() {
    let (wasm, metadata) = build("../examples/token.min", &[]);
    let token = Contract::load(&wasm, &metadata).expect("it loads");
    let bound = token.depth_bound().expect("the token's calls do not recurse");
    assert!((1..16).contains(&bound), "{bound}");
    let [_, vault, _] = twins();
    assert_eq!(vault.kept.depth_bound(), None, "the vault's may");

    // The same module saying its calls nest 0 deep: every call stops at
    // its first function, the same way in a kept instance and a fresh one.
    let mut lying = wasm.clone();
    let offset = depth_bound_constant(&wasm);
    assert_eq!(lying[offset], u8::try_from(bound).expect("one LEB128 byte"));
    lying[offset] = 0;
    let lying = Contract::load(&lying, &metadata).expect("it loads");
    assert_eq!(lying.depth_bound(), Some(0));
    let limits = EngineLimits { concurrent_calls: 2, ..EngineLimits::default() };
    for engine in [
        Engine::with_limits(limits).expect("an engine starts"),
        Engine::with_limits(EngineLimits { idle_instances: 0, ..limits }).expect("an engine starts"),
    ] {
        for _ in 0..2 {
            let signer = lying.signer_value(ADA).expect("a signer");
            match lying.call(&engine, "start", &[], &[signer], GAS) {
                Err(ExecError::Trap { reason }) => assert!(reason.contains("E0413"), "{reason}"),
                other => panic!("the call ran past its stated depth: {other:?}"),
            }
        }
    }
}

/// Where the value of the module's `depth_bound` global is: the byte after
/// the `i64.const` of its initialiser.
fn depth_bound_constant(wasm: &[u8]) -> usize {
    let mut offsets = Vec::new();
    let mut index = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.expect("parses") {
            wasmparser::Payload::GlobalSection(reader) => {
                for global in reader {
                    offsets.push(global.expect("a global").init_expr.get_binary_reader().original_position() + 1);
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("an export");
                    if export.name == min_wasm::abi::DEPTH_BOUND {
                        index = Some(export.index as usize);
                    }
                }
            }
            _ => {}
        }
    }
    offsets[index.expect("the module exports its depth bound")]
}
