//! The harness engine: select vectors, run them against an implementation, judge each reply.

mod expectations;
mod family;
mod judge;
mod lint;
mod run;

pub use expectations::{Expectations, KnownFailure};
pub use family::run_family;
pub use judge::{judge, Outcome};
pub use lint::lint_files;
pub use run::*;
