//! The devnet's keys, all derived from one seed so that every run with the
//! same seed has the same validators, faucet and funded accounts: each
//! key's seed is a hash of the devnet seed, the key's role and its index.

use commonware_cryptography::bls12381::primitives::group::Private;
use commonware_cryptography::bls12381::primitives::ops;
use commonware_cryptography::bls12381::primitives::variant::Variant;
use commonware_cryptography::{Hasher as _, Sha256, Signer as _, ed25519};
use commonware_utils::TestRng;
use ed25519_dalek::SigningKey;
use min_chain::node::PublicKey;
use min_chain::objects::Address;
use min_chain::sbac::BlsVariant;

/// Prefixes every key derivation.
const KEYS_DOMAIN: &[u8] = b"min-devnet/keys/v1";

/// One validator's keys: its ed25519 identity (which also authenticates it
/// on the network) and its BLS key for consensus votes.
#[derive(Clone)]
pub struct ValidatorKeys {
    /// The identity key.
    pub identity: ed25519::PrivateKey,
    /// The BLS12-381 signing key.
    pub bls: Private,
    /// The BLS12-381 public key (in G2).
    pub bls_public: <BlsVariant as Variant>::Public,
}

impl ValidatorKeys {
    /// The validator's public identity.
    pub fn public_key(&self) -> PublicKey {
        self.identity.public_key()
    }
}

/// Every key of a devnet.
#[derive(Clone)]
pub struct DevnetKeys {
    /// The validators of each shard, shard by shard.
    pub validators: Vec<Vec<ValidatorKeys>>,
    /// The only key that may mint coins.
    pub faucet: SigningKey,
    /// The accounts funded at genesis.
    pub accounts: Vec<SigningKey>,
}

impl DevnetKeys {
    /// Derives the keys of `shards` shards of `validators` validators each,
    /// the faucet, and `accounts` accounts from `seed`.
    pub fn derive(seed: u64, shards: u32, validators: u32, accounts: u32) -> Self {
        let validators = (0..shards)
            .map(|shard| (0..validators).map(|index| validator_keys(seed, shard, index)).collect())
            .collect();
        let faucet = SigningKey::from_bytes(&derive_bytes(seed, b"faucet", 0, 0));
        let accounts =
            (0..accounts).map(|index| SigningKey::from_bytes(&derive_bytes(seed, b"account", 0, index))).collect();
        Self { validators, faucet, accounts }
    }
}

/// The address of the holder of `key`.
pub fn address_of(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

fn validator_keys(seed: u64, shard: u32, index: u32) -> ValidatorKeys {
    let identity = ed25519::PrivateKey::from_seed(derive_u64(seed, b"validator-identity", shard, index));
    let mut rng = TestRng::new(derive_u64(seed, b"validator-bls", shard, index));
    let (bls, bls_public) = ops::keypair::<_, BlsVariant>(&mut rng);
    ValidatorKeys { identity, bls, bls_public }
}

fn derive_bytes(seed: u64, role: &[u8], shard: u32, index: u32) -> [u8; 32] {
    Sha256::hash(&[KEYS_DOMAIN, &seed.to_le_bytes(), role, &shard.to_le_bytes(), &index.to_le_bytes()]).0
}

fn derive_u64(seed: u64, role: &[u8], shard: u32, index: u32) -> u64 {
    let bytes = derive_bytes(seed, role, shard, index);
    u64::from_le_bytes(bytes[..8].try_into().expect("a digest has eight bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_derives_the_same_keys_and_another_seed_others() {
        let first = DevnetKeys::derive(7, 2, 4, 3);
        let again = DevnetKeys::derive(7, 2, 4, 3);
        let other = DevnetKeys::derive(8, 2, 4, 3);
        assert_eq!(first.faucet.to_bytes(), again.faucet.to_bytes());
        assert_eq!(first.accounts[2].to_bytes(), again.accounts[2].to_bytes());
        assert_eq!(first.validators[1][3].public_key(), again.validators[1][3].public_key());
        assert_eq!(first.validators[1][3].bls_public, again.validators[1][3].bls_public);
        assert_ne!(first.faucet.to_bytes(), other.faucet.to_bytes());
        assert_ne!(first.validators[0][0].public_key(), first.validators[1][0].public_key());
    }
}
