//! How a devnet is set up: the numbers of shards, validators and funded
//! accounts, the seed of its keys, its ports and where it keeps state, and
//! whether this process runs every validator or one of them.
//! `min-node --config FILE` reads this from TOML (or JSON for a `.json`
//! file); `minc devnet` builds it from its flags.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The most shards a devnet runs.
pub const SHARDS_MAX: u32 = 16;
/// The most validators a shard of a devnet has.
pub const VALIDATORS_MAX: u32 = 32;
/// The most accounts funded at genesis.
pub const ACCOUNTS_MAX: u32 = 1000;
/// The most genesis coins a funded account holds on each shard.
pub const COINS_PER_ACCOUNT_MAX: u32 = 1000;
/// The JSON-RPC port when none is given.
pub const DEFAULT_RPC_PORT: u16 = 8645;
/// Where a devnet keeps its state when neither a directory nor ephemeral state is asked for.
pub const DEFAULT_DIR: &str = ".min/devnet";

/// A devnet's configuration. Every field has a default, so an empty file
/// is a valid configuration: 2 shards × 4 validators, 4 funded accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevnetConfig {
    /// The number of shards.
    pub shards: u32,
    /// The number of validators in each shard's committee.
    pub validators: u32,
    /// The number of accounts funded at genesis.
    pub accounts: u32,
    /// What each genesis coin of a funded account holds.
    pub account_balance: u64,
    /// How many coins of `account_balance` each funded account holds on
    /// each shard at genesis (one by default; a load test wants many
    /// independent coins).
    pub coins_per_account: u32,
    /// The seed every key is derived from.
    pub seed: u64,
    /// The JSON-RPC port on 127.0.0.1; 0 picks a free one.
    pub rpc_port: u16,
    /// The first validator's network port on 127.0.0.1, the others
    /// following it shard by shard, then each validator's cross-shard port
    /// in the same order; 0 picks free ports.
    pub p2p_base_port: u16,
    /// Where the validators keep their stores (blocks, objects, locks,
    /// certificates) and consensus journals. A devnet started again on the
    /// same directory with the same configuration resumes where it stopped.
    pub dir: PathBuf,
    /// Clear `dir` at start and begin again from genesis.
    pub reset: bool,
    /// Keep state in memory and a temporary directory removed at exit instead of `dir`.
    pub ephemeral: bool,
    /// The least time between a round's start and the next proposal when
    /// transactions are waiting, in milliseconds.
    pub block_interval_ms: u64,
    /// The same when no transaction is waiting, in milliseconds; it keeps an
    /// idle devnet from spending its CPU on empty blocks.
    pub idle_block_interval_ms: u64,
    /// How long validators wait for a leader before voting to skip it, in milliseconds.
    pub leader_timeout_ms: u64,
    /// Run only this validator, as one process of a network whose other
    /// validators run in processes of their own, each started from the
    /// same configuration (`min-node --validator SHARD/INDEX`); none runs
    /// every validator in this process.
    pub validator: Option<ValidatorPlace>,
}

/// One validator of the network: its shard and its index in the shard's committee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorPlace {
    /// Its shard.
    pub shard: u32,
    /// Its index in the shard's committee, from 0.
    pub index: u32,
}

impl fmt::Display for ValidatorPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.shard, self.index)
    }
}

impl FromStr for ValidatorPlace {
    type Err = ConfigError;

    /// `SHARD/INDEX`, as `min-node --validator 1/3` takes it.
    fn from_str(text: &str) -> Result<Self, ConfigError> {
        let invalid = || ConfigError(format!("a validator is SHARD/INDEX, such as 0/2, not `{text}`"));
        let (shard, index) = text.split_once('/').ok_or_else(invalid)?;
        Ok(ValidatorPlace {
            shard: shard.parse().map_err(|_| invalid())?,
            index: index.parse().map_err(|_| invalid())?,
        })
    }
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            shards: 2,
            validators: 4,
            accounts: 4,
            account_balance: 1_000_000_000,
            coins_per_account: 1,
            seed: 0,
            rpc_port: DEFAULT_RPC_PORT,
            p2p_base_port: 0,
            dir: PathBuf::from(DEFAULT_DIR),
            reset: false,
            ephemeral: false,
            block_interval_ms: 50,
            idle_block_interval_ms: 500,
            leader_timeout_ms: 1000,
            validator: None,
        }
    }
}

/// Why a configuration cannot be used.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl DevnetConfig {
    /// Reads a configuration file: JSON if its name ends in `.json`, TOML otherwise.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError(format!("cannot read {}: {error}", path.display())))?;
        let config: Self = if path.extension().is_some_and(|extension| extension == "json") {
            serde_json::from_str(&text).map_err(|error| ConfigError(format!("{}: {error}", path.display())))?
        } else {
            toml::from_str(&text).map_err(|error| ConfigError(format!("{}: {error}", path.display())))?
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks that the numbers are within the devnet's limits and the
    /// ports do not run past 65535.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let within = |name: &str, value: u32, low: u32, high: u32| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError(format!("{name} must be between {low} and {high}, not {value}")))
            }
        };
        within("shards", self.shards, 1, SHARDS_MAX)?;
        within("validators", self.validators, 1, VALIDATORS_MAX)?;
        within("accounts", self.accounts, 0, ACCOUNTS_MAX)?;
        within("coins_per_account", self.coins_per_account, 1, COINS_PER_ACCOUNT_MAX)?;
        if self.account_balance == 0 && self.accounts > 0 {
            return Err(ConfigError("account_balance must be positive".into()));
        }
        if self.p2p_base_port != 0 {
            let last = u32::from(self.p2p_base_port) + 2 * self.shards * self.validators - 1;
            if last > u32::from(u16::MAX) {
                return Err(ConfigError(format!("p2p ports from {} run past 65535", self.p2p_base_port)));
            }
        }
        if self.block_interval_ms > self.idle_block_interval_ms {
            return Err(ConfigError(format!(
                "block_interval_ms ({}) must not exceed idle_block_interval_ms ({})",
                self.block_interval_ms, self.idle_block_interval_ms
            )));
        }
        if self.idle_block_interval_ms >= self.leader_timeout_ms {
            return Err(ConfigError(format!(
                "idle_block_interval_ms ({}) must be shorter than leader_timeout_ms ({})",
                self.idle_block_interval_ms, self.leader_timeout_ms
            )));
        }
        if self.leader_timeout_ms == 0 || self.leader_timeout_ms > 60_000 {
            return Err(ConfigError("leader_timeout_ms must be between 1 and 60000".into()));
        }
        if let Some(place) = self.validator {
            if place.shard >= self.shards || place.index >= self.validators {
                return Err(ConfigError(format!(
                    "validator {place} is not one of {} shard(s) x {} validator(s)",
                    self.shards, self.validators
                )));
            }
            if self.p2p_base_port == 0 {
                return Err(ConfigError(
                    "a validator running in a process of its own needs p2p_base_port, so that every process finds the others at the same ports".into(),
                ));
            }
        }
        Ok(())
    }

    /// Where this process keeps its state: `dir`, or, for one validator of
    /// a network of processes, a directory of its own under it
    /// (`DIR/shard-S-validator-I`), so that the processes share no file.
    pub fn state_dir(&self) -> PathBuf {
        match self.validator {
            Some(place) => self.dir.join(format!("shard-{}-validator-{}", place.shard, place.index)),
            None => self.dir.clone(),
        }
    }

    /// The JSON-RPC port of this process: `rpc_port`, or, for one validator
    /// of a network of processes, `rpc_port` plus its place among all the
    /// validators (shard by shard), so that one file serves every process;
    /// 0 picks a free one either way.
    pub fn rpc_port_here(&self) -> u16 {
        match self.validator {
            Some(place) => self.rpc_port_of(place),
            None => self.rpc_port,
        }
    }

    /// The JSON-RPC port of the process running the validator at `place`
    /// in a network of processes started from this configuration (see
    /// [`DevnetConfig::rpc_port_here`]); 0 when ports are picked at random.
    pub fn rpc_port_of(&self, place: ValidatorPlace) -> u16 {
        if self.rpc_port == 0 {
            return 0;
        }
        let offset = place.shard * self.validators + place.index;
        u16::try_from(u32::from(self.rpc_port) + offset).unwrap_or(0)
    }

    /// Whether this process runs the validator `index` of `shard`.
    pub fn runs(&self, shard: u32, index: u32) -> bool {
        self.validator.is_none_or(|place| place == ValidatorPlace { shard, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_toml_file_is_the_default_and_fields_override_it() {
        assert_eq!(toml::from_str::<DevnetConfig>("").unwrap(), DevnetConfig::default());
        let config: DevnetConfig = toml::from_str("shards = 3\nvalidators = 1\nephemeral = true\n").unwrap();
        assert_eq!((config.shards, config.validators, config.ephemeral), (3, 1, true));
        assert!(config.validate().is_ok());
    }

    #[test]
    fn the_printed_default_reads_back_as_the_default() {
        let text = toml::to_string(&DevnetConfig::default()).unwrap();
        assert_eq!(toml::from_str::<DevnetConfig>(&text).unwrap(), DevnetConfig::default());
        let json = serde_json::to_string(&DevnetConfig::default()).unwrap();
        assert_eq!(serde_json::from_str::<DevnetConfig>(&json).unwrap(), DevnetConfig::default());
    }

    #[test]
    fn unknown_fields_and_numbers_out_of_range_are_refused() {
        assert!(toml::from_str::<DevnetConfig>("shard = 3\n").is_err());
        let config = DevnetConfig { shards: 0, ..DevnetConfig::default() };
        assert_eq!(config.validate().unwrap_err().0, "shards must be between 1 and 16, not 0");
        let config = DevnetConfig { p2p_base_port: 65530, ..DevnetConfig::default() };
        assert!(config.validate().is_err());
        let config = DevnetConfig { coins_per_account: 0, ..DevnetConfig::default() };
        assert_eq!(config.validate().unwrap_err().0, "coins_per_account must be between 1 and 1000, not 0");
    }

    #[test]
    fn one_validator_of_a_network_of_processes_has_its_own_state_and_port() {
        let place: ValidatorPlace = "1/2".parse().unwrap();
        assert_eq!(place, ValidatorPlace { shard: 1, index: 2 });
        assert!("1-2".parse::<ValidatorPlace>().is_err() && "a/2".parse::<ValidatorPlace>().is_err());
        let config: DevnetConfig =
            toml::from_str("p2p_base_port = 30000\nrpc_port = 9000\nvalidator = { shard = 1, index = 2 }\n").unwrap();
        assert_eq!(config.validator, Some(place));
        assert!(config.validate().is_ok());
        assert_eq!(config.rpc_port_here(), 9000 + 4 + 2, "after shard 0's four validators");
        assert_eq!(config.state_dir(), PathBuf::from(DEFAULT_DIR).join("shard-1-validator-2"));
        assert!(config.runs(1, 2) && !config.runs(0, 2));
        let no_ports = DevnetConfig { p2p_base_port: 0, ..config.clone() };
        assert!(no_ports.validate().unwrap_err().0.contains("needs p2p_base_port"));
        let outside = DevnetConfig { validator: Some(ValidatorPlace { shard: 2, index: 0 }), ..config };
        assert_eq!(outside.validate().unwrap_err().0, "validator 2/0 is not one of 2 shard(s) x 4 validator(s)");
    }
}
