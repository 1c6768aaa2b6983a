//! The example bank on shards with the real contract host: built by the
//! compiler, published, called through transactions whose outputs the
//! client computed and each validator checked with the compiled checker.

mod common;

use common::{Chain, SHARDS, address, call, key, package, placed, prepare_reading, publication, shards};
use ed25519_dalek::SigningKey;
use min_chain::contracts::{ContractHost, Package};
use min_chain::objects::Object;
use min_chain::shard::{ShardId, shard_of};
use min_chain::state::{Abort, ShardState};
use min_chain::transaction::Procedure;
use min_contract_host::{RuntimeHost, load_package};
use min_runtime::{Contract, Value};

fn bank_package() -> Package {
    package("bank.min")
}

/// The account's value as Min prints it.
fn shown(contract: &Contract, account: &Object) -> String {
    let ty = &contract.procedure("deposit").unwrap().arguments[0].r#type;
    contract.decode(&account.data, ty).unwrap().to_string()
}

#[test]
fn accounts_open_deposit_and_transfer_with_every_output_recomputed() {
    let package = bank_package();
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (ada, bob) = (key(2), key(3));

    let open = |chain: &mut Chain, who: &SigningKey, name: &str| {
        let (transaction, _) = call(&contract, chain, who, "open", &[], &[Value::Str(name.into())]).unwrap();
        chain.apply(&transaction).unwrap().remove(0)
    };
    let ada_account = open(&mut chain, &ada, "ada");
    let bob_account = open(&mut chain, &bob, "bob");
    assert_eq!(shard_of(&ada_account.id, shards()), ShardId(1), "opened where asked");
    assert_eq!(shard_of(&bob_account.id, shards()), ShardId(1));
    assert_eq!(shown(&contract, &ada_account), r#"{holder = "ada", balance = 0}"#);

    let (deposit, _) =
        call(&contract, &chain, &ada, "deposit", std::slice::from_ref(&ada_account), &[Value::Nat(10)]).unwrap();
    let ada_account = chain.apply(&deposit).unwrap().remove(0);
    assert_eq!(shown(&contract, &ada_account), r#"{holder = "ada", balance = 10}"#);

    let accounts = [ada_account.clone(), bob_account.clone()];
    let (transfer, _) = call(&contract, &chain, &bob, "transfer", &accounts, &[Value::Nat(4)]).unwrap();
    let created = chain.apply(&transfer).unwrap();
    assert_eq!(shown(&contract, &created[0]), r#"{holder = "ada", balance = 6}"#);
    assert_eq!(shown(&contract, &created[1]), r#"{holder = "bob", balance = 4}"#);
    assert_eq!(chain.apply(&transfer), Err(Abort::InactiveObject(ada_account.id)), "no account is spent twice");

    let (balance_of, returns) = call(&contract, &chain, &ada, "balance_of", &created[..1], &[]).unwrap();
    assert_eq!(returns.iter().map(ToString::to_string).collect::<Vec<_>>(), ["6"]);
    assert_eq!(shown(&contract, &chain.apply(&balance_of).unwrap()[0]), r#"{holder = "ada", balance = 6}"#);
}

#[test]
fn failing_calls_and_dishonest_outputs_change_nothing() {
    let package = bank_package();
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let ada = key(2);
    let (open, _) = call(&contract, &chain, &ada, "open", &[], &[Value::Str("ada".into())]).unwrap();
    let account = chain.apply(&open).unwrap().remove(0);
    let digest = chain.states[1].digest();

    assert_eq!(
        call(&contract, &chain, &ada, "transfer", &[account.clone(), account.clone()], &[Value::Nat(1)]).err(),
        Some("aborted: insufficient funds".to_owned()),
        "the client sees the abort before submitting"
    );

    let (honest, _) =
        call(&contract, &chain, &ada, "deposit", std::slice::from_ref(&account), &[Value::Nat(5)]).unwrap();
    let mut richer = honest.body().clone();
    let (inflated, _) =
        call(&contract, &chain, &ada, "deposit", std::slice::from_ref(&account), &[Value::Nat(500)]).unwrap();
    richer.outputs = inflated.body().outputs.clone();
    assert_eq!(
        chain.apply(&placed(richer, &ada)),
        Err(Abort::CheckerFailed("bank.deposit makes other results than the transaction claims".into()))
    );

    let mut foreign = honest.body().clone();
    foreign.outputs[0].owner = address(&ada);
    assert_eq!(
        chain.apply(&placed(foreign, &ada)),
        Err(Abort::CheckerFailed("output 1 is not a bank.Account of the contract that declares it".into()))
    );

    let (balance, _) = call(&contract, &chain, &ada, "balance_of", std::slice::from_ref(&account), &[]).unwrap();
    let mut unclaimed = balance.body().clone();
    unclaimed.params = Vec::new();
    assert_eq!(
        chain.apply(&placed(unclaimed, &ada)),
        Err(Abort::CheckerFailed("the transaction claims none of the results".into()))
    );
    let mut overclaimed = balance.body().clone();
    let info = contract.procedure("balance_of").unwrap();
    overclaimed.params = min_contract_host::append_claim(&contract, info, &[], &[Value::Nat(999)], &[]).unwrap();
    assert_eq!(
        chain.apply(&placed(overclaimed, &ada)),
        Err(Abort::CheckerFailed("bank.balance_of makes other results than the transaction claims".into()))
    );

    let mut unknown = honest.body().clone();
    unknown.procedure = Procedure::Call { name: "steal".to_owned(), salt: 0 };
    assert_eq!(
        chain.apply(&placed(unknown, &ada)),
        Err(Abort::ContractFailed("the contract has no procedure named steal".to_owned()))
    );

    let mut garbage = honest.body().clone();
    garbage.params = vec![0xff; 7];
    assert!(matches!(chain.apply(&placed(garbage, &ada)), Err(Abort::ContractFailed(_))));
    assert_eq!(chain.states[1].digest(), digest, "nothing changed");
    assert!(chain.apply(&honest).is_ok());
}

#[test]
fn a_signer_parameter_holds_the_transactions_signer_and_nothing_else() {
    let package = package("attacks/unprotected_kill_fixed.min");
    let contract = load_package(&package).unwrap();
    let info = contract.procedure("kill").unwrap();
    assert_eq!(info.arguments[0].role, min_runtime::Role::Signer, "the metadata marks the signer");
    let mut chain = Chain::new(&package);
    let (ada, eve) = (key(2), key(6));

    let (open, _) = call(&contract, &chain, &ada, "open", &[], &[]).unwrap();
    let wallet = chain.apply(&open).unwrap().remove(0);
    let ty = &info.arguments[1].r#type;
    let owner = address(&ada).to_string();
    assert_eq!(owner.len(), 64);
    assert_eq!(
        contract.decode(&wallet.data, ty).unwrap().to_string(),
        format!(r#"{{owner = "{owner}", balance = 0}}"#)
    );

    assert_eq!(
        call(&contract, &chain, &eve, "kill", std::slice::from_ref(&wallet), &[]).err(),
        Some("aborted: only the owner may close a wallet".to_owned()),
        "the client sees that only the owner may close it"
    );
    let (honest, returns) = call(&contract, &chain, &ada, "kill", std::slice::from_ref(&wallet), &[]).unwrap();
    assert_eq!(returns.iter().map(ToString::to_string).collect::<Vec<_>>(), ["0"]);
    let mut stolen = honest.body().clone();
    stolen.signer = address(&eve);
    let digest = chain.states[1].digest();
    assert_eq!(
        chain.apply(&placed(stolen, &eve)),
        Err(Abort::CheckerFailed("the procedure aborts: only the owner may close a wallet".into())),
        "the validators run the procedure's checker for the real signer"
    );
    assert_eq!(chain.states[1].digest(), digest, "nothing changed");
    assert!(chain.apply(&honest).is_ok(), "the owner closes the wallet");
}

#[test]
fn the_token_mints_pays_and_refuses_what_the_owner_did_not_sign() {
    let package = package("token.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (ada, bob, eve) = (key(2), key(3), key(6));
    let shown = |object: &Object| {
        let ty = &contract.procedure("transfer").unwrap().arguments[1].r#type;
        contract.decode(&object.data, ty).unwrap().to_string()
    };
    let hex = |who: &SigningKey| address(who).to_string();

    let (start, _) = call(&contract, &chain, &ada, "start", &[], &[]).unwrap();
    let treasury = chain.apply(&start).unwrap().remove(0);
    let mint_for_bob = [Value::Nat(10), Value::Str(hex(&bob).into())];
    assert_eq!(
        call(&contract, &chain, &eve, "mint", std::slice::from_ref(&treasury), &mint_for_bob).err(),
        Some("aborted: only the admin mints, and no more than a ℕ holds".to_owned())
    );
    let (mint, _) = call(&contract, &chain, &ada, "mint", std::slice::from_ref(&treasury), &mint_for_bob).unwrap();
    let coin = chain.apply(&mint).unwrap().remove(1);
    assert_eq!(shown(&coin), format!(r#"{{owner = "{}", units = {{amount = 10}}}}"#, hex(&bob)));

    let pay_ada = [Value::Nat(3), Value::Str(hex(&ada).into())];
    let (honest, _) = call(&contract, &chain, &bob, "pay", std::slice::from_ref(&coin), &pay_ada).unwrap();
    let mut forged = honest.body().clone();
    forged.signer = address(&eve);
    assert_eq!(
        chain.apply(&placed(forged, &eve)),
        Err(Abort::CheckerFailed("the procedure aborts: only the owner pays from a coin".into())),
        "eve cannot spend bob's coin by replaying his call under her key"
    );
    let created = chain.apply(&honest).unwrap();
    assert_eq!(shown(&created[0]), format!(r#"{{owner = "{}", units = {{amount = 7}}}}"#, hex(&bob)));
    assert_eq!(shown(&created[1]), format!(r#"{{owner = "{}", units = {{amount = 3}}}}"#, hex(&ada)));
    assert_eq!(chain.apply(&honest), Err(Abort::InactiveObject(coin.id)), "a coin is spent once");

    // Anyone reads Bob's change by reference: the coin stays as it is.
    let change = &created[0];
    let read = |chain: &Chain, reader: &SigningKey, coin: &Object| {
        prepare_reading(&contract, chain, reader, "balance", (&[], std::slice::from_ref(coin)), &[])
    };
    let balance = read(&chain, &eve, change).unwrap();
    assert_eq!(balance.returns.iter().map(ToString::to_string).collect::<Vec<_>>(), ["7"]);
    assert_eq!(balance.body.references.len(), 2, "the package and the coin read");
    let reading = balance.body.clone().sign(&eve);
    assert_eq!(chain.apply(&reading).unwrap(), Vec::<Object>::new(), "a read creates nothing");
    let home = shard_of(&change.id, shards()).0 as usize;
    assert!(chain.states[home].is_active(&change.id), "the coin read is still active");
    let mut inflated = balance.body.clone();
    let info = contract.procedure("balance").unwrap();
    inflated.params = min_contract_host::append_claim(&contract, info, &[], &[Value::Nat(8)], &[]).unwrap();
    assert_eq!(
        chain.apply(&placed(inflated, &eve)),
        Err(Abort::CheckerFailed("token.balance makes other results than the transaction claims".into())),
        "the checker reads the coin itself"
    );
    // A coin spent since cannot be read.
    let (spend, _) =
        call(&contract, &chain, &bob, "transfer", std::slice::from_ref(change), &[Value::Str(hex(&ada).into())])
            .unwrap();
    chain.apply(&spend).unwrap();
    let stale = read(&chain, &eve, change).unwrap().body.sign(&eve);
    assert_eq!(chain.apply(&stale), Err(Abort::InactiveObject(change.id)));
}

#[test]
fn a_broken_package_is_refused_on_every_shard() {
    let mut package = bank_package();
    package.wasm.truncate(package.wasm.len() / 2);
    let host = RuntimeHost::new().unwrap();
    assert!(host.check_package(&package, &[]).is_err());
    let publish = publication(&package);
    for shard in 0..SHARDS {
        let mut state = ShardState::new(ShardId(shard), shards(), address(&key(200)));
        assert!(matches!(state.apply(&publish, true, &host), Err(Abort::ContractFailed(_))));
        assert_eq!(state.object_count(), 0);
    }
}
