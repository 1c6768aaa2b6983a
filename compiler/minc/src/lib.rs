//! The `minc` driver as a library, so that tests run it in-process:
//! reading `minc run` arguments and running functions.

pub mod args;
pub mod load;
pub mod run;
