//! Recognises what a byte string is and dissects it (`sealcheck inspect`).

use crate::wire::Dissection;

/// Dissects `bytes` as the given format, or recognises it: Themis keys and messages start
/// with a recognisable tag or type, so anything else is read as a Mixin body.
pub fn dissect(bytes: &[u8], format: Option<&str>) -> Dissection {
    match format {
        Some("mixin") => crate::mixin::dissect(bytes),
        Some("themis") => crate::themis::dissect(bytes).unwrap_or_else(|| {
            let mut d = Dissection::new("not a Themis key or message");
            d.problem("no Soter key tag (REC/UEC/RRA/URA) and no Secure Message type (0x260426xx, 0x260427xx)");
            d
        }),
        _ => crate::themis::dissect(bytes).unwrap_or_else(|| crate::mixin::dissect(bytes)),
    }
}
