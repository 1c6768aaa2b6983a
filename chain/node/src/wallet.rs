//! Building transactions on the client's side: minting (for the faucet
//! and genesis) and transfers from a signer's coins. Object ids derive from
//! the transaction's hash, so a transaction meant for one shard carries a
//! nonce in its parameters, raised until every output lands on that shard.

use crate::keys::address_of;
use ed25519_dalek::SigningKey;
use min_chain::objects::{Address, ObjectRef, TypeTag, coin_data};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::transaction::{INPUTS_MAX, Output, Procedure, Transaction, TransactionBody};
use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;

/// How many nonces are tried before giving up on placing a transaction.
const PLACEMENT_TRIES_MAX: u64 = 1 << 20;

/// A coin a signer may spend, as the chain reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Coin {
    /// The coin's object and version.
    pub reference: ObjectRef,
    /// The shard it lives on.
    pub shard: ShardId,
    /// Its value.
    pub value: u128,
}

/// Why a transaction could not be built.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum WalletError {
    /// A transfer or mint of nothing.
    ZeroAmount,
    /// The signer's coins (at most [`INPUTS_MAX`] of them) cannot pay the
    /// amount; `best` is the most they could pay.
    InsufficientFunds {
        /// The amount asked for.
        amount: u128,
        /// The most the signer's largest coins add up to.
        best: u128,
    },
    /// The objects the transaction names live on several shards, or no
    /// nonce placed every output on the shard (practically impossible).
    NoPlacement(ShardId),
}

impl fmt::Display for WalletError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroAmount => f.write_str("the amount must be positive"),
            Self::InsufficientFunds { amount, best } => write!(
                f,
                "insufficient funds: {amount} asked, but the signer's coins add up to at most {best} \
                 (a transfer spends at most {INPUTS_MAX} coins)"
            ),
            Self::NoPlacement(shard) => {
                write!(
                    f,
                    "the transaction cannot be placed on shard {} alone: its objects live on other shards",
                    shard.0
                )
            }
        }
    }
}

impl std::error::Error for WalletError {}

/// The output of a coin worth `value` owned by `owner`.
pub fn coin_output(owner: Address, value: u128) -> Output {
    Output { owner, type_tag: TypeTag::COIN, data: coin_data(value) }
}

/// Appends a nonce to `body.params`, raising it until the transaction
/// touches `shard` alone (when given) or any single shard. `body.params`
/// keeps its own bytes in front; the last eight are the nonce.
pub fn place(
    mut body: TransactionBody,
    shard: Option<ShardId>,
    shards: NonZeroU32,
) -> Result<TransactionBody, WalletError> {
    // Only the outputs move with the nonce: named objects must already agree.
    let mut named = body.inputs.iter().chain(&body.references).map(|reference| shard_of(&reference.id, shards));
    if let Some(first) = named.next() {
        let wanted = shard.unwrap_or(first);
        if first != wanted || named.any(|other| other != wanted) {
            return Err(WalletError::NoPlacement(wanted));
        }
    }
    let prefix = body.params.len();
    body.params.extend_from_slice(&[0; 8]);
    for nonce in 0..PLACEMENT_TRIES_MAX {
        body.params[prefix..].copy_from_slice(&nonce.to_le_bytes());
        let touched = shards_touched(&body, shards);
        let mut touched = touched.into_iter();
        if let (Some(only), None) = (touched.next(), touched.next())
            && shard.is_none_or(|wanted| wanted == only)
        {
            return Ok(body);
        }
    }
    Err(WalletError::NoPlacement(shard.unwrap_or(ShardId(0))))
}

/// A mint by `faucet` of one coin of `amount` for `owner`, on `shard` if
/// given. `label` makes mints of the same amount to the same owner distinct.
pub fn mint(
    faucet: &SigningKey,
    owner: Address,
    amount: u128,
    label: &[u8],
    shard: Option<ShardId>,
    shards: NonZeroU32,
) -> Result<Transaction, WalletError> {
    if amount == 0 {
        return Err(WalletError::ZeroAmount);
    }
    let body = TransactionBody {
        procedure: Procedure::Mint { amount },
        inputs: vec![],
        references: vec![],
        params: label.to_vec(),
        outputs: vec![coin_output(owner, amount)],
        signer: address_of(faucet),
    };
    Ok(place(body, shard, shards)?.sign(faucet))
}

/// A transfer of `amount` to `to`, paid from `key`'s `coins`, with the
/// change back to the signer. Coins of one shard pay when some shard's can
/// (largest coins first), and the outputs are placed there: the
/// single-shard fast path. Otherwise coins of several shards pay together,
/// largest first, in a cross-shard transaction.
pub fn transfer(
    key: &SigningKey,
    coins: &[Coin],
    to: Address,
    amount: u128,
    shards: NonZeroU32,
) -> Result<Transaction, WalletError> {
    if amount == 0 {
        return Err(WalletError::ZeroAmount);
    }
    let mut by_shard: BTreeMap<ShardId, Vec<Coin>> = BTreeMap::new();
    for coin in coins {
        by_shard.entry(coin.shard).or_default().push(*coin);
    }
    for (shard, coins) in by_shard {
        if let Some(body) = transfer_body(key, coins, to, amount) {
            return Ok(place(body, Some(shard), shards)?.sign(key));
        }
    }
    match transfer_body(key, coins.to_vec(), to, amount) {
        Some(body) => Ok(body.sign(key)),
        None => {
            let mut values: Vec<u128> = coins.iter().map(|coin| coin.value).collect();
            values.sort_unstable_by(|a, b| b.cmp(a));
            let best = values.iter().take(INPUTS_MAX).fold(0u128, |total, value| total.saturating_add(*value));
            Err(WalletError::InsufficientFunds { amount, best })
        }
    }
}

/// The transfer of `amount` to `to` from the largest of `coins` (at most
/// [`INPUTS_MAX`]), or `None` if they cannot pay it.
fn transfer_body(key: &SigningKey, mut coins: Vec<Coin>, to: Address, amount: u128) -> Option<TransactionBody> {
    coins.sort_by(|a, b| b.value.cmp(&a.value).then(a.reference.cmp(&b.reference)));
    let mut inputs = Vec::new();
    let mut total = 0u128;
    for coin in coins.iter().take(INPUTS_MAX) {
        if total >= amount {
            break;
        }
        total = total.saturating_add(coin.value);
        inputs.push(coin.reference);
    }
    if total < amount {
        return None;
    }
    let signer = address_of(key);
    let mut outputs = vec![coin_output(to, amount)];
    if total > amount {
        outputs.push(coin_output(signer, total - amount));
    }
    Some(TransactionBody {
        procedure: Procedure::Transfer { amount },
        inputs,
        references: vec![],
        params: vec![],
        outputs,
        signer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use min_chain::objects::ObjectId;

    fn shards() -> NonZeroU32 {
        NonZeroU32::new(4).unwrap()
    }

    #[test]
    fn a_mint_lands_on_the_shard_asked_for() {
        let faucet = SigningKey::from_bytes(&[9; 32]);
        for shard in 0..4 {
            let mint = mint(&faucet, Address([1; 32]), 5, b"x", Some(ShardId(shard)), shards()).unwrap();
            assert_eq!(shard_of(&mint.id().output_id(0), shards()), ShardId(shard));
            assert!(mint.verify_signature());
        }
    }

    #[test]
    fn a_transfer_pays_from_one_shard_with_change_and_keeps_every_output_there() {
        let key = SigningKey::from_bytes(&[3; 32]);
        // The n-th id (by its repeated byte) that lives on `shard`.
        let id_on = |shard: u32, nth: usize| {
            (0..=255u8).map(|byte| ObjectId([byte; 32])).filter(|id| shard_of(id, shards()) == ShardId(shard)).nth(nth)
        };
        let coin = |shard: u32, nth: usize, value: u128| Coin {
            reference: ObjectRef { id: id_on(shard, nth).unwrap(), version: 1 },
            shard: ShardId(shard),
            value,
        };
        let coins = [coin(0, 0, 30), coin(1, 0, 50), coin(1, 1, 40)];
        let transfer = transfer(&key, &coins, Address([7; 32]), 70, shards()).unwrap();
        assert_eq!(transfer.body().inputs.len(), 2);
        assert_eq!(transfer.body().outputs[1].data, coin_data(20));
        assert_eq!(
            shards_touched(transfer.body(), shards()).into_iter().collect::<Vec<_>>(),
            vec![ShardId(1)],
            "the outputs land on the inputs' shard"
        );
        // No shard alone holds 100: coins of both shards pay together.
        let across = super::transfer(&key, &coins, Address([7; 32]), 100, shards()).unwrap();
        assert_eq!(across.body().inputs.len(), 3);
        assert_eq!(across.body().outputs[1].data, coin_data(20));
        let touched = shards_touched(across.body(), shards());
        assert!(touched.contains(&ShardId(0)) && touched.contains(&ShardId(1)), "{touched:?}");
        let short = super::transfer(&key, &coins, Address([7; 32]), 130, shards()).unwrap_err();
        assert_eq!(short, WalletError::InsufficientFunds { amount: 130, best: 120 });
    }
}
