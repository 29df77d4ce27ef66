//! Pseudo-random cases, as code: the accumulated families (thousands of cases checked by
//! one digest, `family.rs`) and the random vectors a user asks for. Their mutations are
//! edits in the one vocabulary (`crate::mutate`), drawn from the seeded stream.

pub(super) mod mixin;
pub(super) mod themis;

use crate::mutate::{apply_all, Edit, Format, Layout, NoRefs};

/// `bytes` after `steps`, fields named by the format's dissection; a step that cannot apply
/// (a field cut away) leaves the bytes as they were before it, as the byte helpers these
/// replace did.
pub(super) fn edited(format: Format, bytes: &[u8], steps: &[Edit]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut layout = Layout::of(format, bytes);
    for s in steps {
        let before = (out.clone(), layout.clone());
        if apply_all(std::slice::from_ref(s), &mut out, &mut layout, &mut NoRefs).is_err() {
            (out, layout) = before;
        }
    }
    out
}

/// Parses steps written in the vocabulary; the families only write ones that parse.
pub(super) fn steps(text: &str) -> Vec<Edit> {
    Edit::parse_all(text).unwrap_or_default()
}
