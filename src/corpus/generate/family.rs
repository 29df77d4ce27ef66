//! Accumulated families in the style of C2SP CCTV: deterministic pseudo-random cases that cost
//! a few bytes in the corpus (seed, count, digest) and thousands of checks in a run.
//!
//! This file says what a family is: its cases, regenerated from the seed, and the digest over
//! each reply's canonical form (the exact output, or just "rejected": stages are not part of
//! the digest). Running a family against an implementation is the engine's
//! (`engine::run_family`).

use super::{accumulated_args, Gen};
use crate::iut::Reference;
use crate::protocol::Reply;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The cases of every accumulated vector in the generated corpus.
pub const DEFAULT_COUNT: u64 = 10_000;

/// Regenerates the cases of an accumulated vector. Cases of a documented leniency (which the
/// corpus marks `acceptable`, so a lenient implementation is not wrong) and cases no real
/// implementation's API can be asked are drawn again: a family must be passed by every correct
/// implementation.
pub fn cases(op: &str, seed: u64, count: u64) -> Result<Vec<Value>, String> {
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    while (out.len() as u64) < count {
        let args = accumulated_args(&mut g, op)?;
        if !left_out(op, &args) {
            out.push(args);
        }
    }
    Ok(out)
}

/// Whether the family draws a case again: a documented leniency, or a case no real
/// implementation can be asked.
pub fn left_out(op: &str, args: &Value) -> bool {
    is_leniency(op, args) || unaskable(op, args)
}

/// Whether a case cannot be put to a real implementation: a Mixin sender seed of another length
/// than 32 bytes. The Go libraries take a 64-byte key built from a 32-byte seed, so their
/// adapters can only refuse such a seed themselves; the explicit `SeedLength` vectors keep
/// these cases, the family leaves them out (docs/verdict-changes.md C3).
pub fn unaskable(op: &str, args: &Value) -> bool {
    matches!(op, "mixin.convert_private_key" | "mixin.encrypt")
        && hex_arg(args, "private_key").len() != 32
}

fn hex_arg(args: &Value, name: &str) -> Vec<u8> {
    args.get(name)
        .and_then(Value::as_str)
        .and_then(|s| crate::wire::from_hex(s).ok())
        .unwrap_or_default()
}

/// Whether the reference rejects `args` only because of a leniency that the corpus marks
/// `acceptable` (docs/VECTORS.md): an unchecked Mixin version byte or key padding, a Mixin
/// public key that only a lenient Edwards decoder converts, Themis's
/// structural-only key check, its unchecked signed-type low byte and its tolerance of bytes
/// after a signature.
pub fn is_leniency(op: &str, args: &Value) -> bool {
    use crate::themis::ThemisError as E;
    match op {
        "mixin.decrypt" => {
            let body = hex_arg(args, "body");
            let seed = hex_arg(args, "private_key");
            let id = args
                .get("session_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let strict = crate::mixin::decrypt(&seed, id, &body);
            match strict {
                Err(crate::mixin::MixinError::Version(_)) => true,
                Err(crate::mixin::MixinError::KeyUnwrap { .. }) => {
                    crate::mixin::envelope::decrypt_ignoring_padding(&seed, id, &body).is_ok()
                }
                _ => false,
            }
        }
        // A point the strict conversion refuses but Go's edwards25519 converts (non-canonical,
        // small-order or mixed-order): acceptable (SmallOrderPoint, NonCanonicalY, NegativeZeroX).
        "mixin.convert_public_key" => {
            let key = hex_arg(args, "public_key");
            <[u8; 32]>::try_from(key.as_slice()).is_ok_and(|k| {
                crate::mixin::keys::is_edwards_point(&k)
                    && crate::mixin::keys::public_to_x25519(&k).is_err()
            })
        }
        "themis.key.check" => matches!(
            crate::themis::key_check(&hex_arg(args, "key")),
            Err(E::KeyScalar | E::KeyPoint(_) | E::KeyExponent(_) | E::KeyRsa(_))
        ),
        "themis.verify" => {
            let signed = hex_arg(args, "signed");
            match crate::themis::verify(&hex_arg(args, "public_key"), &signed) {
                Err(E::TrailingBytes { .. }) => true,
                Err(E::MessageType { .. }) => {
                    let ty = signed
                        .get(..4)
                        .and_then(|b| b.try_into().ok())
                        .map(u32::from_le_bytes)
                        .unwrap_or(0);
                    ty & 0xffff_ff00 == 0x2604_2600
                        && ty != crate::themis::EC_SIGNED
                        && ty != crate::themis::RSA_SIGNED
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// The canonical form of one reply that the digest covers. Signatures are randomised, so a
/// signed output counts by whether the reference verifies it to the message.
pub fn canonical(op: &str, args: &Value, reply: &Reply) -> String {
    match reply {
        Reply::Ok(ok) if op == "themis.sign" => {
            let verified = (|| {
                let key = crate::wire::from_hex(args.get("private_key")?.as_str()?).ok()?;
                let public = crate::themis::public_key_for(&key).ok()?;
                let signed = crate::wire::from_hex(ok.get("signed")?.as_str()?).ok()?;
                let message = crate::themis::verify(&public, &signed).ok()?;
                Some(hex::encode(message) == args.get("message")?.as_str()?)
            })();
            format!("signed:{}", verified == Some(true))
        }
        Reply::Ok(ok) => format!("ok:{ok}"),
        Reply::Error { .. } => "rejected".into(),
        Reply::Unsupported(_) => "unsupported".into(),
    }
}

/// SHA-256 over the canonical replies, one per line, in case order.
pub fn digest(op: &str, cases: &[Value], replies: &[Reply]) -> String {
    let mut h = Sha256::new();
    for (args, reply) in cases.iter().zip(replies) {
        h.update(canonical(op, args, reply).as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The reference's digest for a family: what the corpus records.
pub fn reference_digest(op: &str, seed: u64, count: u64) -> Result<String, String> {
    let cases = cases(op, seed, count)?;
    let mut r = Reference::default();
    let replies: Vec<Reply> = cases.iter().map(|a| r.answer(op, a)).collect();
    Ok(digest(op, &cases, &replies))
}
