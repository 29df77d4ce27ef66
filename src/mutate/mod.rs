//! One mutation vocabulary over the typed views: an [`Edit`] names a field of a format's
//! dissection (the names `sealcheck inspect` prints) and says what to do to it; a fix-up
//! recomputes the fields that depend on others (a container's size and CRC, a message's
//! lengths). The generator's catalogue, the differential fuzzer and the fuzz targets all
//! edit with it, so every mutation the project makes can be printed in the same words.
//!
//! ```text
//! tag[0] ^= 0x20; fix crc            cell.iv append @junk[..4]; cell.iv_length = 16; fix total_length
//! size = 0; fix crc                  signature.s = p256.n - signature.s; fix der signature_length
//! input cut 7                        session[0].id[15] flip 0
//! ```
//!
//! Positions name fields of the unedited value; a step that changes a length moves the
//! fields after it, so later steps still find theirs.

mod args;
mod edit;
mod expr;
mod layout;

pub use args::{apply_at, arg_layout, is_text_arg, ArgEdit};
pub use edit::{apply_all, CutAt, Edit, Encoding, Op, Place, Sel, Target};
pub use expr::{parse_bindings, parse_expr, show_bytes, Arg, Expr};
pub use layout::{Format, Layout, Part};

use rsa::BigUint;

/// A value an edit writes: a number (written in the field's own width and order), bytes, or
/// text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A non-negative integer.
    Int(BigUint),
    /// Bytes, written as they are.
    Bytes(Vec<u8>),
    /// Text, written as its UTF-8 bytes.
    Text(String),
}

impl Operand {
    /// The bytes of a byte or text operand.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Operand::Bytes(b) => Some(b.clone()),
            Operand::Text(t) => Some(t.as_bytes().to_vec()),
            Operand::Int(_) => None,
        }
    }
}

/// Resolves what an edit refers to outside the value it edits: `@` references and calls.
/// The fuzzer has none; the catalogue resolves its scenes.
pub trait Resolve {
    /// The value of `expr` (an `@` reference or a call), with the value being edited and
    /// its layout at hand for arguments that name its fields.
    fn resolve(&mut self, expr: &Expr, current: &[u8], layout: &Layout) -> Result<Operand, String>;
}

/// A resolver that knows nothing: edits with references fail.
pub struct NoRefs;

impl Resolve for NoRefs {
    fn resolve(&mut self, expr: &Expr, _: &[u8], _: &Layout) -> Result<Operand, String> {
        Err(format!("{expr} refers to something outside the edit"))
    }
}

/// The numbers an edit may name: curve orders and primes, and the Secure Message types,
/// all taken from the reference.
pub fn constant(name: &str) -> Option<Operand> {
    use crate::themis::{Curve, EC_ENCRYPTED, EC_SIGNED, RSA_ENCRYPTED, RSA_SIGNED};
    let int = |v: u32| Some(Operand::Int(BigUint::from(v)));
    let hex = |h: &str| {
        hex::decode(h)
            .ok()
            .map(|b| Operand::Int(BigUint::from_bytes_be(&b)))
    };
    match name {
        "EC_SIGNED" => int(EC_SIGNED),
        "RSA_SIGNED" => int(RSA_SIGNED),
        "EC_ENCRYPTED" => int(EC_ENCRYPTED),
        "RSA_ENCRYPTED" => int(RSA_ENCRYPTED),
        "CELL_ALG" => int(crate::themis::cell::ALG),
        _ => {
            let (curve, what) = name.split_once('.')?;
            let curve = Curve::ALL
                .into_iter()
                .find(|c| c.name().replace('-', "").eq_ignore_ascii_case(curve))?;
            match what {
                "n" => hex(curve.order_hex()),
                "p" => hex(curve.prime_hex()),
                _ => None,
            }
        }
    }
}
