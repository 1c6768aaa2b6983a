//! The contract runtime (issue 5): a token transfer executed by
//! `min-runtime` on the token contract `minc build` makes, against the same
//! transfer written in plain Rust, both over the same object store (a map
//! from object ids to the canonical encoding of each object, `spec/gas.md`),
//! without signature checks; and the fixed cost of a call (a fresh instance
//! and a procedure that returns its argument).
//!
//! A transfer reads the coin's bytes from the store, checks that the
//! signer owns the coin, makes the new version owned by the payee and
//! writes its bytes back. The runtime reads the bytes straight into the
//! instance and writes the new coin's out (`Contract::call_encoded`); the
//! Rust transfer decodes and encodes.

use min_analysis::Workspace;
use min_runtime::{Argument, Contract, Engine, Value};
use std::collections::HashMap;

/// The allocator `minc` uses, so that the numbers are the toolchain's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The gas limit of every call: the chain's.
const GAS: u64 = 50_000_000;
/// The two owners the coin goes back and forth between (addresses as the
/// chain writes them: 64 hexadecimal digits).
const ADA: &str = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
const BOB: &str = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
/// The id of the coin in the store.
const COIN: u64 = 7;

/// A contract built from Min source by the real compiler and loaded from
/// its bytes.
fn contract(name: &str, source: &str) -> Contract {
    let mut workspace = Workspace::new();
    let file = workspace.add_file(name, source.to_owned());
    assert!(workspace.diagnostics(file).is_empty(), "{name} checks");
    let artifact = minc::artifact::build(&workspace, file).expect("the contract builds");
    Contract::load(&artifact.wasm, artifact.metadata.as_bytes()).expect("the contract loads")
}

fn token() -> Contract {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/token.min");
    contract("token.min", &std::fs::read_to_string(path).expect("the token exists"))
}

/// The object store both transfers run over.
type Store = HashMap<u64, Vec<u8>>;

/// One transfer of the coin by `from` to `to`, run by the runtime: the
/// coin's bytes go into the instance and the new coin's bytes come out,
/// with no values in between. The payee comes in the canonical encoding,
/// as a transaction carries it, and the signer's encoding is made from its
/// address.
fn transfer_in_min(contract: &Contract, engine: &Engine, store: &mut Store, from: &str, to: &str) {
    let coin = store.get(&COIN).expect("the coin is stored");
    let signer = contract.signer_bytes(from).expect("a signer");
    let mut payee = Vec::with_capacity(to.len() + 2);
    leb128(&mut payee, to.len() as u128);
    payee.extend_from_slice(to.as_bytes());
    let params = [Argument::Encoded(&signer), Argument::Encoded(&payee)];
    let mut outcome = contract
        .call_encoded(engine, "transfer", &[Argument::Encoded(coin)], &params, GAS, None)
        .expect("the transfer runs");
    store.insert(COIN, outcome.outputs.swap_remove(0));
}

#[divan::bench]
fn token_transfer_min_runtime(bencher: divan::Bencher) {
    let contract = token();
    let engine = Engine::new().expect("an engine starts");
    let coin_type = contract.procedure("transfer").expect("transfer").arguments[1].r#type.clone();
    let coin = contract
        .call(&engine, "start", &[], &[contract.signer_value(ADA).expect("a signer")], GAS)
        .and_then(|started| {
            let treasury = started.outputs[0].clone();
            let params = [contract.signer_value(ADA).expect("a signer"), Value::Nat(1_000), Value::string(ADA)];
            contract.call(&engine, "mint", &[treasury], &params, GAS)
        })
        .expect("the admin mints")
        .outputs
        .remove(1);
    let mut store = Store::from([(COIN, contract.encode(&coin, &coin_type).expect("the coin encodes"))]);
    let mut forth = true;
    bencher.bench_local(|| {
        let (from, to) = if forth { (ADA, BOB) } else { (BOB, ADA) };
        transfer_in_min(&contract, &engine, &mut store, from, to);
        forth = !forth;
    });
}

/// The token's coin in plain Rust.
struct Coin {
    owner: String,
    amount: u128,
}

/// The coin's canonical encoding: the owner's byte length and bytes, then
/// the amount, each number in shortest unsigned LEB128 (`spec/gas.md`).
fn encode_coin(coin: &Coin) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(coin.owner.len() + 24);
    leb128(&mut bytes, coin.owner.len() as u128);
    bytes.extend_from_slice(coin.owner.as_bytes());
    leb128(&mut bytes, coin.amount);
    bytes
}

fn leb128(bytes: &mut Vec<u8>, mut value: u128) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
}

fn read_leb128(bytes: &[u8], at: &mut usize) -> Option<u128> {
    let mut value = 0u128;
    for shift in (0..128).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u128::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn decode_coin(bytes: &[u8]) -> Option<Coin> {
    let mut at = 0;
    let length = usize::try_from(read_leb128(bytes, &mut at)?).ok()?;
    let owner = std::str::from_utf8(bytes.get(at..at + length)?).ok()?.to_owned();
    at += length;
    let amount = read_leb128(bytes, &mut at)?;
    (at == bytes.len()).then_some(Coin { owner, amount })
}

/// The token's `transfer` in plain Rust.
fn transfer_in_rust(store: &mut Store, from: &str, to: &str) {
    let coin = decode_coin(store.get(&COIN).expect("the coin is stored")).expect("the coin decodes");
    assert_eq!(coin.owner, from, "only the owner moves a coin");
    store.insert(COIN, encode_coin(&Coin { owner: to.to_owned(), ..coin }));
}

#[divan::bench]
fn token_transfer_plain_rust(bencher: divan::Bencher) {
    let mut store = Store::from([(COIN, encode_coin(&Coin { owner: ADA.to_owned(), amount: 1_000 }))]);
    let mut forth = true;
    bencher.bench_local(|| {
        let (from, to) = if forth { (ADA, BOB) } else { (BOB, ADA) };
        transfer_in_rust(&mut store, from, to);
        forth = !forth;
    });
}

/// The fixed cost of a call: a fresh instance running a procedure that
/// returns its argument. Before timing, it checks that both transfers work
/// on the same bytes: the plain-Rust coin decodes what the runtime wrote.
#[divan::bench]
fn instantiate_and_call(bencher: divan::Bencher) {
    let contract = contract("echo.min", "procedure echo : ℕ → ℕ\necho n = n\n");
    let engine = Engine::new().expect("an engine starts");
    let echoed = contract.call(&engine, "echo", &[], &[Value::Nat(5)], GAS).expect("echo runs");
    assert_eq!(echoed.returns[0].to_string(), "5");
    let token = token();
    let mut store = Store::from([(COIN, encode_coin(&Coin { owner: ADA.to_owned(), amount: 9 }))]);
    transfer_in_min(&token, &engine, &mut store, ADA, BOB);
    let moved = decode_coin(&store[&COIN]).expect("the runtime's bytes decode in Rust");
    assert_eq!((moved.owner.as_str(), moved.amount), (BOB, 9));
    bencher.bench_local(|| contract.call(&engine, "echo", &[], &[Value::Nat(5)], GAS).expect("echo runs"));
}
