//! `min-node --config FILE`: runs the devnet a TOML (or `.json`) file
//! describes until Ctrl-C, every validator in this process; with
//! `--validator SHARD/INDEX`, only that one, its peers running the same
//! file in processes of their own. `min-node --print-config` prints the
//! default configuration, every field documented in `spec/chain.md`.

use clap::Parser;
use min_node::DevnetConfig;
use min_node::config::ValidatorPlace;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs a Min devnet: shards of validators on loopback and a JSON-RPC server.
#[derive(Parser)]
#[command(name = "min-node", version, about, long_about = None)]
struct Args {
    /// The configuration file: TOML, or JSON if its name ends in `.json`.
    /// Without it, the defaults (2 shards x 4 validators, state in `.min/devnet`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only this validator (`SHARD/INDEX`, such as `0/2`): each
    /// validator of the network then runs in a process of its own, every
    /// process from the same file, which sets `p2p_base_port`.
    #[arg(long, value_name = "SHARD/INDEX")]
    validator: Option<ValidatorPlace>,
    /// Print the default configuration as TOML and exit.
    #[arg(long)]
    print_config: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.print_config {
        match toml::to_string(&DevnetConfig::default()) {
            Ok(text) => {
                print!("{text}");
                return ExitCode::SUCCESS;
            }
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        }
    }
    let mut config = match &args.config {
        Some(path) => match DevnetConfig::from_file(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(1);
            }
        },
        None => DevnetConfig::default(),
    };
    if args.validator.is_some() {
        config.validator = args.validator;
    }
    match min_node::run(config, min_node::devnet::ctrl_c(), |started| {
        println!("{}\nPress Ctrl-C to stop.", started.summary())
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
