//! The marketplace, tips and oracle examples on shards with the real
//! contract host: deployed as packages, called with real signatures, their
//! outputs recomputed by the validators; a call the contract refuses, or a
//! signed call replayed under another key, changes nothing.

mod common;

use common::{Chain, OneValidatorCommittees, address, call, key, package, placed, prepare, prepare_on_shard};
use ed25519_dalek::SigningKey;
use min_chain::objects::Object;
use min_chain::shard::{ShardId, shard_of};
use min_chain::state::Abort;
use min_contract_host::{event_value, load_package};
use min_runtime::{Contract, Value};

/// The address of `who` as contracts see it, a string of hexadecimal.
fn hex(who: &SigningKey) -> String {
    address(who).to_string()
}

/// `object` as Min prints it, read as argument `index` of `procedure`.
fn shown(contract: &Contract, procedure: &str, index: usize, object: &Object) -> String {
    let ty = &contract.procedure(procedure).unwrap().arguments[index].r#type;
    contract.decode(&object.data, ty).unwrap().to_string()
}

/// The events a call logs, as Min prints them, computed as the client
/// computes them before it signs.
fn logged(
    contract: &Contract,
    chain: &Chain,
    caller: &SigningKey,
    procedure: &str,
    inputs: &[Object],
    params: &[Value<'_>],
) -> Vec<String> {
    let prepared = prepare(contract, chain, caller, procedure, inputs, params).unwrap();
    prepared.events.iter().map(|event| event_value(contract, event).unwrap().to_string()).collect()
}

/// A new treasury whose admin is `admin`.
fn treasury(contract: &Contract, chain: &mut Chain, admin: &SigningKey) -> Object {
    let (start, _) = call(contract, chain, admin, "start", &[], &[]).unwrap();
    chain.apply(&start).unwrap().remove(0)
}

/// A new coin of `amount` for `to`, minted by `admin` from `treasury`,
/// which becomes its next version.
fn minted(
    contract: &Contract,
    chain: &mut Chain,
    admin: &SigningKey,
    treasury: &mut Object,
    amount: u128,
    to: &SigningKey,
) -> Object {
    let params = [Value::Nat(amount), Value::Str(hex(to).into())];
    let (mint, _) = call(contract, chain, admin, "mint", std::slice::from_ref(treasury), &params).unwrap();
    let mut created = chain.apply(&mint).unwrap();
    *treasury = created.remove(0);
    created.remove(0)
}

/// A coin of `owner`'s holding `amount`, as Min prints it.
fn coin(owner: &SigningKey, amount: u128) -> String {
    format!(r#"{{owner = "{}", units = {{amount = {amount}}}}}"#, hex(owner))
}

#[test]
fn the_marketplace_releases_escrow_on_confirmation_and_refuses_strangers() {
    let package = package("marketplace.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (seller, buyer, arbiter, eve) = (key(2), key(3), key(4), key(6));
    let mut mint = treasury(&contract, &mut chain, &arbiter);
    let cash = minted(&contract, &mut chain, &arbiter, &mut mint, 20, &buyer);

    let listing = [Value::Str("air-42".into()), Value::Nat(1234), Value::Nat(7), Value::Str(hex(&arbiter).into())];
    let (list, _) = call(&contract, &chain, &seller, "list", &[], &listing).unwrap();
    let offer = chain.apply(&list).unwrap().remove(0);
    let (order, _) = call(&contract, &chain, &buyer, "order", &[offer, cash], &[]).unwrap();
    let created = chain.apply(&order).unwrap();
    assert_eq!(shown(&contract, "order", 2, &created[2]), coin(&buyer, 13), "the change stays with the buyer");
    let placed_order = created[1].clone();

    assert_eq!(
        call(&contract, &chain, &eve, "deliver", std::slice::from_ref(&placed_order), &[Value::Nat(99)]).err(),
        Some("aborted: it is not the signer's move on this order".to_owned()),
        "a stranger cannot deliver"
    );
    let (deliver, _) =
        call(&contract, &chain, &seller, "deliver", std::slice::from_ref(&placed_order), &[Value::Nat(99)]).unwrap();
    let delivered = chain.apply(&deliver).unwrap().remove(0);

    let (honest, _) = call(&contract, &chain, &buyer, "confirm", std::slice::from_ref(&delivered), &[]).unwrap();
    let mut forged = honest.body().clone();
    forged.signer = address(&eve);
    let digest = chain.states[1].digest();
    assert_eq!(
        chain.apply(&placed(forged, &eve)),
        Err(Abort::CheckerFailed("the procedure aborts: it is not the signer's move on this order".into())),
        "eve cannot release the buyer's escrow by replaying the confirmation under her key"
    );
    assert_eq!(chain.states[1].digest(), digest, "nothing changed");

    let settled = chain.apply(&honest).unwrap();
    assert_eq!(shown(&contract, "order", 2, &settled[1]), coin(&seller, 7), "the seller is paid the price");
    let receipt = shown(&contract, "confirm", 1, &settled[0]);
    assert!(receipt.contains("stage = Released") && receipt.contains("payment = {amount = 0}"), "{receipt}");
    assert_eq!(chain.apply(&honest), Err(Abort::InactiveObject(delivered.id)), "an order is settled once");
}

#[test]
fn the_marketplace_refunds_a_disputed_order_on_the_arbiters_ruling() {
    let package = package("marketplace.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (seller, buyer, arbiter, eve) = (key(2), key(3), key(4), key(6));
    let mut mint = treasury(&contract, &mut chain, &arbiter);
    let cash = minted(&contract, &mut chain, &arbiter, &mut mint, 7, &buyer);
    let listing = [Value::Str("air-42".into()), Value::Nat(1234), Value::Nat(7), Value::Str(hex(&arbiter).into())];
    let (list, _) = call(&contract, &chain, &seller, "list", &[], &listing).unwrap();
    let offer = chain.apply(&list).unwrap().remove(0);
    let (order, _) = call(&contract, &chain, &buyer, "order", &[offer, cash], &[]).unwrap();
    let placed_order = chain.apply(&order).unwrap().remove(1);
    let (deliver, _) = call(&contract, &chain, &seller, "deliver", &[placed_order], &[Value::Nat(99)]).unwrap();
    let delivered = chain.apply(&deliver).unwrap().remove(0);
    let (dispute, _) = call(&contract, &chain, &buyer, "dispute", &[delivered], &[]).unwrap();
    let disputed = chain.apply(&dispute).unwrap().remove(0);

    for who in [&seller, &buyer, &eve] {
        assert_eq!(
            call(&contract, &chain, who, "rule", std::slice::from_ref(&disputed), &[Value::Bool(true)]).err(),
            Some("aborted: it is not the signer's move on this order".to_owned()),
            "only the arbiter rules"
        );
    }
    let (rule, _) = call(&contract, &chain, &arbiter, "rule", &[disputed], &[Value::Bool(false)]).unwrap();
    let settled = chain.apply(&rule).unwrap();
    assert_eq!(shown(&contract, "order", 2, &settled[1]), coin(&buyer, 7), "the buyer is refunded the price");
    assert!(shown(&contract, "confirm", 1, &settled[0]).contains("stage = Refunded"));
}

#[test]
fn a_tip_pays_the_creator_and_logs_it_and_only_the_creator_collects() {
    let package = package("tips.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (creator, fan, eve) = (key(2), key(3), key(6));
    let mut mint = treasury(&contract, &mut chain, &creator);
    let cash = minted(&contract, &mut chain, &creator, &mut mint, 10, &fan);

    let (open, _) = call(&contract, &chain, &creator, "open", &[], &[Value::Str("streams".into())]).unwrap();
    let jar = chain.apply(&open).unwrap().remove(0);
    let tip_params = [Value::Nat(3), Value::Str(hex(&creator).into()), Value::Str("great stream".into())];
    assert_eq!(
        call(&contract, &chain, &eve, "tip", std::slice::from_ref(&cash), &tip_params).err(),
        Some("aborted: only the owner tips from a coin".to_owned())
    );
    assert_eq!(
        logged(&contract, &chain, &fan, "tip", std::slice::from_ref(&cash), &tip_params),
        [format!(r#"{{from = "{}", to = "{}", amount = 3, note = "great stream"}}"#, hex(&fan), hex(&creator))]
    );
    let (tip, _) = call(&contract, &chain, &fan, "tip", &[cash], &tip_params).unwrap();
    let created = chain.apply(&tip).unwrap();
    assert_eq!(shown(&contract, "tip", 1, &created[0]), coin(&fan, 7));
    let sent = created[1].clone();

    assert_eq!(
        call(&contract, &chain, &eve, "collect", &[jar.clone(), sent.clone()], &[]).err(),
        Some("aborted: only the creator collects their tips".to_owned())
    );
    let (collect, _) = call(&contract, &chain, &creator, "collect", &[jar, sent], &[]).unwrap();
    let jar = chain.apply(&collect).unwrap().remove(0);
    let (withdraw, _) = call(&contract, &chain, &creator, "withdraw", &[jar], &[Value::Nat(2)]).unwrap();
    let created = chain.apply(&withdraw).unwrap();
    let left = shown(&contract, "withdraw", 1, &created[0]);
    assert!(left.contains("units = {amount = 1}"), "{left}");
    assert_eq!(shown(&contract, "tip", 1, &created[1]), coin(&creator, 2));
}

#[test]
fn the_oracle_fixes_on_the_median_rewards_the_close_and_slashes_the_far() {
    let package = package("oracle.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (hub, ada, bob, eve) = (key(4), key(2), key(3), key(6));
    let round_params =
        [Value::Str("r1".into()), Value::Str("truck-7".into()), Value::Nat(10), Value::Nat(2), Value::Nat(1000)];
    let (open, _) = call(&contract, &chain, &hub, "open", &[], &round_params).unwrap();
    let mut round = chain.apply(&open).unwrap().remove(0);
    let mut mint = treasury(&contract, &mut chain, &hub);
    let pool = minted(&contract, &mut chain, &hub, &mut mint, 3, &hub);
    let (fund, _) = call(&contract, &chain, &hub, "fund", &[round, pool], &[]).unwrap();
    round = chain.apply(&fund).unwrap().remove(0);

    let mut reports = Vec::new();
    for (who, lat, lon) in [(&ada, 51_500_000, -120_000), (&bob, 51_500_400, -119_800), (&eve, 48_850_000, 2_350_000)] {
        let stake = minted(&contract, &mut chain, &hub, &mut mint, 10, who);
        let (report, _) =
            call(&contract, &chain, who, "report", &[round, stake], &[Value::Int(lat), Value::Int(lon)]).unwrap();
        let created = chain.apply(&report).unwrap();
        round = created[0].clone();
        reports.push(created[2].clone());
    }

    let inputs = [round.clone(), reports[0].clone(), reports[1].clone(), reports[2].clone()];
    assert_eq!(
        call(&contract, &chain, &eve, "fix", &inputs, &[]).err(),
        Some("aborted: only the admin fixes a round, once, on three reports of it from three reporters".to_owned())
    );
    let (fix, _) = call(&contract, &chain, &hub, "fix", &inputs, &[]).unwrap();
    let fixed = chain.apply(&fix).unwrap();
    let shown_round = shown(&contract, "fund", 1, &fixed[0]);
    assert!(shown_round.contains("lat = 51500000, lon = -119800"), "the median on each axis: {shown_round}");
    let (mut round, ada_report, bob_report, eve_report) =
        (fixed[0].clone(), fixed[1].clone(), fixed[2].clone(), fixed[3].clone());

    assert_eq!(
        call(&contract, &chain, &hub, "reward", &[round.clone(), eve_report.clone()], &[]).err(),
        Some("aborted: the report is too far from the fix to be rewarded".to_owned())
    );
    assert_eq!(
        call(&contract, &chain, &hub, "slash", &[round.clone(), ada_report.clone()], &[]).err(),
        Some("aborted: the report is within the tolerance of the fix".to_owned())
    );
    for (who, report, paid) in [(&ada, ada_report, 12), (&bob, bob_report, 11)] {
        let (reward, _) = call(&contract, &chain, &hub, "reward", &[round, report], &[]).unwrap();
        let created = chain.apply(&reward).unwrap();
        assert_eq!(shown(&contract, "fund", 2, &created[1]), coin(who, paid), "the stake back and the bonus");
        round = created[0].clone();
    }
    let (slash, _) = call(&contract, &chain, &hub, "slash", &[round, eve_report], &[]).unwrap();
    round = chain.apply(&slash).unwrap().remove(0);
    let (close, _) = call(&contract, &chain, &hub, "close", &[round], &[]).unwrap();
    let left = chain.apply(&close).unwrap().remove(0);
    assert_eq!(shown(&contract, "fund", 2, &left), coin(&hub, 10), "the slashed stake is what the pool has left");
}

#[test]
fn a_pot_closes_at_its_deadline_by_the_time_of_the_block_that_runs_the_play() {
    let package = package("attacks/timestamp_dependence_fixed.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let (open, _) = call(&contract, &chain, &key(1), "open", &[], &[Value::Nat(5), Value::Nat(1_000)]).unwrap();
    let pot = chain.apply(&open).unwrap().remove(0);

    // Before the close, a play joins: the client and the block agree.
    chain.states[1].set_time(999);
    let (play, _) = call(&contract, &chain, &key(2), "play", std::slice::from_ref(&pot), &[]).unwrap();
    let pot = chain.apply(&play).unwrap().remove(0);
    assert!(shown(&contract, "play", 2, &pot).contains(&format!("players = [\"{}\"]", hex(&key(2)))));

    // A play the client ran at 999 lands in a block of 1 000: the block's
    // time decides, and the pot has closed.
    let (late, _) = call(&contract, &chain, &key(3), "play", std::slice::from_ref(&pot), &[]).unwrap();
    chain.states[1].set_time(1_000);
    let refused = chain.apply(&late);
    assert_eq!(refused, Err(Abort::CheckerFailed("the procedure aborts: the pot has closed".into())));
    let closed = call(&contract, &chain, &key(3), "play", std::slice::from_ref(&pot), &[]).map(drop).unwrap_err();
    assert!(closed.contains("the pot has closed"), "the client, at the block's time, sees it too: {closed}");
}

#[test]
fn two_pots_on_two_shards_merge_at_the_time_of_the_later_block_that_prepares_the_merge() {
    let package = package("attacks/timestamp_dependence_fixed.min");
    let contract = load_package(&package).unwrap();
    let mut chain = Chain::new(&package);
    let signers = OneValidatorCommittees::new();
    let pots = [(0, 5, 1_000), (1, 2, 2_000)].map(|(shard, prize, closes)| {
        let params = [Value::Nat(prize), Value::Nat(closes)];
        let opened = prepare_on_shard(&contract, &chain, &key(1), "open", (&[], &[]), &params, ShardId(shard));
        chain.apply(&opened.unwrap().body.sign(&key(1))).unwrap().remove(0)
    });
    let home = shard_of(&pots[0].id, common::shards());
    assert_ne!(home, shard_of(&pots[1].id, common::shards()), "one pot on each shard");

    // The client runs the merge at its clock, before either close. Shard 0
    // prepares it at 990 and shard 1 at 1 000: it runs at 1 000 on both,
    // when the first pot has closed, and aborts on both.
    let merge = |chain: &Chain, merger: u8| {
        prepare(&contract, chain, &key(merger), "merge", &pots, &[]).unwrap().body.sign(&key(merger))
    };
    let (late, on_time) = (merge(&chain, 2), merge(&chain, 3));
    for outcome in chain.commit_across_shards(&late, [990, 1_000], &signers) {
        let Err(Abort::CheckerFailed(reason)) = outcome else { panic!("refused by the checker: {outcome:?}") };
        assert!(reason.contains("a pot has closed"), "{reason}");
    }

    // Unlocked again, the pots merge when both shards prepare before the close.
    let outcomes = chain.commit_across_shards(&on_time, [999, 998], &signers);
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let merged = chain.states[home.0 as usize].object(&on_time.id().output_id(0)).unwrap().clone();
    let shown = shown(&contract, "merge", 1, &merged);
    assert!(shown.contains("prize = 7") && shown.contains("closes = 1000"), "{shown}");
    assert!(pots.iter().all(|pot| !chain.states.iter().any(|state| state.is_active(&pot.id))), "both pots are spent");
}
