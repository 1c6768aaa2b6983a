//! `min-node --config FILE`: runs the devnet a TOML (or `.json`) file
//! describes until Ctrl-C. `min-node --print-config` prints the default
//! configuration, every field documented in `spec/chain.md`.

use clap::Parser;
use min_node::DevnetConfig;
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
    let config = match &args.config {
        Some(path) => match DevnetConfig::from_file(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(1);
            }
        },
        None => DevnetConfig::default(),
    };
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
