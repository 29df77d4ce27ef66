//! The harness engine: select vectors, run them against an implementation, judge each reply.

pub mod accumulated;
mod expectations;
mod judge;
mod run;

pub use expectations::{Expectations, KnownFailure};
pub use judge::{judge, Outcome};
pub use run::*;
