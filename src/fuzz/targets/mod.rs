//! The fuzz targets: every target is `replay(TARGET, data)`, shared by the cargo-fuzz targets
//! in `fuzz/` and the stable regression test (`tests/fuzz_regressions.rs`).

mod harness;
mod mixin;
mod themis;

pub use harness::json_value;

use harness::{iut_reply, protocol_request, vector_file};
use mixin::{mixin_body, mixin_decrypt};
use themis::{themis_cell, themis_decrypt, themis_key, themis_message, themis_verify};

use crate::wire::Dissection;

/// Every fuzz target, by the name `fuzz/fuzz_targets/<name>.rs` and `fuzz/regressions/<name>/` use.
pub const TARGETS: &[&str] = &[
    "mixin_body",
    "mixin_decrypt",
    "themis_key",
    "themis_message",
    "themis_verify",
    "themis_decrypt",
    "themis_cell",
    "vector_file",
    "iut_reply",
    "protocol_request",
];

/// Runs one fuzz input through `target`; panics when an invariant breaks (that is the finding).
///
/// Unknown target names panic too, so a misnamed regression directory is noticed.
pub fn replay(target: &str, data: &[u8]) {
    match target {
        "mixin_body" => mixin_body(data),
        "mixin_decrypt" => drop(mixin_decrypt(data)),
        "themis_key" => themis_key(data),
        "themis_message" => themis_message(data),
        "themis_verify" => drop(themis_verify(data)),
        "themis_decrypt" => drop(themis_decrypt(data)),
        "themis_cell" => themis_cell(data),
        "vector_file" => vector_file(data),
        "iut_reply" => iut_reply(data),
        "protocol_request" => protocol_request(data),
        other => panic!("no fuzz target {other:?}"),
    }
}

/// For the structure-aware targets (`mixin_decrypt`, `themis_verify`, `themis_decrypt`): runs
/// the input like [`replay`] and, when the reference accepted an edit that changed the
/// envelope's bytes (always to the original plaintext, or `replay` panics), says which.
pub fn accepted_edit(target: &str, data: &[u8]) -> Option<String> {
    match target {
        "mixin_decrypt" => mixin_decrypt(data),
        "themis_verify" => themis_verify(data),
        "themis_decrypt" => themis_decrypt(data),
        _ => {
            replay(target, data);
            None
        }
    }
}

pub(super) fn check_dissection_ranges(d: &Dissection, len: usize) {
    for f in &d.fields {
        assert!(
            f.range.start <= f.range.end && f.range.end <= len,
            "field {} has range {:?} outside {len} bytes",
            f.name,
            f.range
        );
    }
    let _ = d.render(&[]);
}

pub(super) fn pad<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.iter_mut().zip(b).for_each(|(o, v)| *o = *v);
    out
}
