//! The `minc` driver as a library, so that tests run it in-process:
//! reading `minc run` arguments, running functions, building artifacts,
//! talking to a devnet.

pub mod args;
pub mod artifact;
pub mod chain;
pub mod checkers;
pub mod gas_bound;
pub mod load;
pub mod regions;
pub mod run;
pub mod testing;
pub mod tx;
