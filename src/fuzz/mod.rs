//! Fuzzing: the one-input drivers shared by the cargo-fuzz targets in `fuzz/` and the stable
//! regression test (`tests/fuzz_regressions.rs`), and the differential fuzzer behind
//! `sealcheck fuzz` that compares the reference with an implementation under test.
//!
//! Every fuzz target is `replay(TARGET, data)`: the targets decode their structured input
//! with [`Source`] (a small, total, deterministic byte reader) rather than with a derive, so
//! that the same bytes mean the same thing to libFuzzer on nightly features and to
//! `cargo test` on stable.

mod differential;
mod edit;
mod keys;
mod source;
mod targets;

pub use differential::{compare, run, Comparison, Config, Kind};
pub use edit::decode_edit;
pub use keys::{fixed_keys, FixedKeys};
pub use source::Source;
pub use targets::{accepted_edit, json_value, replay, TARGETS};

use keys::session_string;
