//! The harness engine: select vectors, run them against an implementation, judge each
//! reply, apply the expectations. It takes plain configuration and returns results; the
//! command line, printing and exit codes are `cli`'s.

mod execute;
mod expectations;
mod family;
mod judge;
mod lint;
mod observe;
mod run;
mod select;

pub use crate::corpus::evidence::Backing;
pub use execute::{execute, execute_accumulated, Status, VectorResult};
pub use expectations::{Expectations, KnownFailure};
pub use family::{run_family, run_family_recorded};
pub use judge::{judge, Outcome};
pub use lint::{lint_files, lint_paths, Lint};
pub use observe::{
    cut, record_reply, sha256_hex, FamilyRecord, ReplyKind, ReplyRecord, KEEP_CHARS,
};
pub use run::{load, run, Config, Progress, Quiet, Run};
pub use select::{matches, select, select_accumulated, Selection};
