//! Accumulated families in the style of C2SP CCTV: deterministic pseudo-random cases that cost
//! a few bytes in the corpus (seed, count, digest) and thousands of checks in a run.
//!
//! This file says what a family is: its cases, regenerated from the seed, and the digest over
//! each reply's canonical form (the exact output, or just "rejected": stages are not part of
//! the digest). Running a family against an implementation is the engine's
//! (`engine::run_family`).

use super::{accumulated_args, Gen};
use crate::corpus::Subset;
use crate::iut::Reference;
use crate::protocol::Reply;
use crate::wire::Stage;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The cases of every accumulated vector in the generated corpus.
pub const DEFAULT_COUNT: u64 = 10_000;

/// The families of an op in the generated corpus: (id tail, subset, count, what they hold).
/// Most ops have one; an op whose cases different real implementations can answer is split
/// (docs/verdict-changes.md C2, C4).
pub fn families_of(op: &str) -> &'static [(&'static str, Subset, u64, &'static str)] {
    const MOSTLY: &str = ", about 60% well-formed and the rest single mutations of them";
    match op {
        "mixin.decrypt" => &[
            (
                "layout-fits-10000-cases",
                Subset::LayoutFits,
                DEFAULT_COUNT,
                " whose blocks and nonce fit in the body (as the session count lays them out), about 60% well-formed and the rest single mutations of them",
            ),
            (
                "layout-overflow-1000-cases",
                Subset::LayoutOverflow,
                1000,
                " whose session count lays out more blocks, or a nonce further, than the body holds: every one is refused",
            ),
        ],
        "themis.encrypt" => &[
            (
                "well-keyed-10000-cases",
                Subset::WellKeyed,
                DEFAULT_COUNT,
                " with well-formed, fitting keys and injected randomness (exact outputs), or an empty message",
            ),
            (
                "key-defects-3000-cases",
                Subset::KeyDefects,
                3000,
                " with a defective or ill-fitting key and no `random`: every one is refused",
            ),
        ],
        _ => &[("10000-cases", Subset::All, DEFAULT_COUNT, MOSTLY)],
    }
}

/// Regenerates the cases of an accumulated vector. Cases of a documented leniency (which the
/// corpus marks `acceptable`, so a lenient implementation is not wrong) and cases no real
/// implementation's API can be asked are drawn again, and so are cases outside `subset`: a
/// family must be passed by every correct implementation.
pub fn cases(op: &str, subset: Subset, seed: u64, count: u64) -> Result<Vec<Value>, String> {
    check_subset(op, subset)?;
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(1 << 20));
    let mut drawn: u64 = 0;
    while (out.len() as u64) < count {
        drawn += 1;
        if drawn
            > count
                .saturating_mul(MAX_DRAWS_PER_CASE)
                .saturating_add(1000)
        {
            return Err(too_few(op, subset, out.len(), drawn));
        }
        let args = accumulated_args(&mut g, op)?;
        if let Some(kept) = keep(op, subset, args) {
            out.push(kept);
        }
    }
    Ok(out)
}

/// A subset that keeps fewer than one case in this many draws is refused, not searched for
/// ever.
pub const MAX_DRAWS_PER_CASE: u64 = 100;

/// Why a subset gave up.
pub fn too_few(op: &str, subset: Subset, kept: usize, drawn: u64) -> String {
    format!("{op} family of {subset:?} cases: only {kept} of {drawn} draws are in it")
}

/// Refuses a subset defined for another op.
pub fn check_subset(op: &str, subset: Subset) -> Result<(), String> {
    match subset.op() {
        Some(o) if o != op => Err(format!("the {subset:?} cases are {o}'s, not {op}'s")),
        _ => Ok(()),
    }
}

/// One drawn case as the family keeps it, or `None` when it is drawn again.
pub fn keep(op: &str, subset: Subset, mut args: Value) -> Option<Value> {
    if left_out(op, &args) {
        return None;
    }
    let keeps = match subset {
        Subset::All => true,
        Subset::LayoutFits | Subset::LayoutOverflow => {
            use crate::mixin::MixinError as M;
            let overflow = matches!(
                crate::mixin::decrypt(
                    &hex_arg(&args, "private_key"),
                    args.get("session_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    &hex_arg(&args, "body"),
                ),
                Err(M::SessionCount { .. }
                    | M::Truncated {
                        field: "GCM nonce",
                        ..
                    })
            );
            overflow == (subset == Subset::LayoutOverflow)
        }
        Subset::WellKeyed | Subset::KeyDefects => {
            let mut r = Reference::default();
            let key_defect = matches!(
                r.answer(op, &args),
                Reply::Error {
                    stage: Some(Stage::Key | Stage::KeyKind),
                    ..
                }
            );
            if subset == Subset::KeyDefects {
                if let Some(map) = args.as_object_mut() {
                    map.remove("random");
                }
            }
            key_defect == (subset == Subset::KeyDefects)
        }
    };
    keeps.then_some(args)
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
/// public key that only a lenient Edwards decoder converts, a session named twice, Themis's
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
                // A session named twice: first-match and last-match readers both accept
                // (LastMatchWins).
                Err(
                    crate::mixin::MixinError::Version(_)
                    | crate::mixin::MixinError::DuplicateSession { .. },
                ) => true,
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
        // An RSA sender key whose only defect is its CRT values (RsaCrtUnchecked), or an EC
        // peer key in the hybrid form (HybridPoint): the OpenSSL rows use either.
        "themis.sign" => crt_only(&hex_arg(args, "private_key")),
        // An RSA sender key is only framed-checked by real Themis, which never uses it
        // (RsaAnonymous): its numbers may be anything, its CRT values included.
        "themis.encrypt" => {
            let own = hex_arg(args, "private_key");
            rsa_numbers_only(&own) || hybrid_only(&hex_arg(args, "peer_public_key"))
        }
        "themis.verify" => {
            let signed = hex_arg(args, "signed");
            let public_key = hex_arg(args, "public_key");
            match crate::themis::verify(&public_key, &signed) {
                Err(E::KeyPoint(_)) => hybrid_only(&public_key),
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

/// Whether the reference refuses a private key container for its CRT values alone.
fn crt_only(key: &[u8]) -> bool {
    matches!(
        crate::themis::key_check(key),
        Err(crate::themis::ThemisError::KeyRsa(why)) if why == crate::themis::keys::CRT_MISMATCH
    )
}

/// Whether the reference refuses a well-framed RSA private key container for its numbers.
fn rsa_numbers_only(key: &[u8]) -> bool {
    use crate::wire::Codec;
    matches!(
        crate::themis::KeyFields::read(key),
        Ok(crate::themis::KeyFields::RsaPrivate { .. })
    ) && matches!(
        crate::themis::key_check(key),
        Err(crate::themis::ThemisError::KeyRsa(_) | crate::themis::ThemisError::KeyExponent(_))
    )
}

/// Whether the reference refuses a public key container for its hybrid point alone.
fn hybrid_only(key: &[u8]) -> bool {
    crate::themis::key_check(key).is_err() && crate::themis::keys::is_hybrid_ec_public(key)
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
pub fn reference_digest(op: &str, subset: Subset, seed: u64, count: u64) -> Result<String, String> {
    let cases = cases(op, subset, seed, count)?;
    let mut r = Reference::default();
    let replies: Vec<Reply> = cases.iter().map(|a| r.answer(op, a)).collect();
    Ok(digest(op, &cases, &replies))
}

#[cfg(test)]
mod tests {
    use super::is_leniency;
    use crate::corpus::embedded_args as vector_args;

    #[test]
    fn is_leniency_knows_a_hybrid_point_from_a_broken_one_and_crt_values_from_primes() {
        let hybrid = vector_args("themis.verify/key/ec-public-hybrid-prefix");
        assert!(is_leniency("themis.verify", &hybrid));
        // The same point with the parity bit that does not match y: no one reads it.
        let key = hybrid["public_key"].as_str().unwrap();
        let mut bytes = crate::wire::from_hex(key).unwrap();
        bytes[12] ^= 1;
        let fields = crate::themis::KeyFields::EcPublic {
            curve: crate::themis::Curve::P256,
            point: bytes[12..].to_vec(),
        };
        let wrong_parity =
            crate::themis::container::write(fields.tag(), &fields.payload()).unwrap();
        let mut args = hybrid.clone();
        args["public_key"] = hex::encode(&wrong_parity).into();
        assert!(!is_leniency("themis.verify", &args));
        let peer = vector_args("themis.encrypt/key/peer-hybrid-point");
        assert!(is_leniency("themis.encrypt", &peer));
        let crt = vector_args("themis.sign/key/rsa-qp-edited");
        assert!(is_leniency("themis.sign", &crt));
        // A scalar out of range is a defect of the OpenSSL rows, not a leniency.
        assert!(!is_leniency(
            "themis.sign",
            &vector_args("themis.sign/key/scalar-zero")
        ));
    }
}
