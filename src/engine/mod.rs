//! The harness engine: select vectors, run them against an implementation, judge each
//! reply, apply the expectations. It takes plain configuration and returns results; the
//! command line, printing and exit codes are `cli`'s.

mod execute;
mod expectations;
mod family;
mod judge;
mod lint;
mod observe;
mod partition;
mod pool;
mod run;
mod select;
mod shorten;

pub use crate::corpus::evidence::Backing;
pub use execute::{
    execute, execute_accumulated, result_of, IncidentResult, IncidentStatus, Status, VectorResult,
};
pub use expectations::{Expectations, KnownFailure, KnownIncident};
pub use family::{
    blocks, judge_slices, run_family, run_family_recorded, FamilySlice, NoReplyAt, BLOCK,
};
pub use judge::{judge, Outcome};
pub use lint::{lint_files, lint_paths, Lint};
pub use observe::{
    cut, record_reply, sha256_hex, FamilyRecord, ReplyKind, ReplyRecord, KEEP_CHARS,
};
pub use partition::{Partition, PartitionMode};
pub use run::{jobs_for, load, run, Config, PartitionRecord, Progress, Quiet, Run};
pub use select::{matches, select, select_accumulated, why_nothing, Selection, FORMATS, OPS};
pub use shorten::shorten;
