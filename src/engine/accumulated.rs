//! Accumulated tests in the style of C2SP CCTV: a family of deterministic pseudo-random cases
//! that costs a few bytes in the corpus (seed, count, digest) and thousands of checks in a run.
//!
//! The harness regenerates the cases from the seed, sends them all, and hashes each reply's
//! canonical form (the exact output, or just "rejected": stages are not part of the digest).
//! On a mismatch it asks the reference for the same cases and names the first that differs.

use crate::corpus::generate::{accumulated_args, Gen};
use crate::engine::Outcome;
use crate::iut::Implementation;
use crate::iut::Reference;
use crate::protocol::{Failure, Reply};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Cases sent per batch.
const CHUNK: usize = 512;

/// The cases of every accumulated vector in the generated corpus.
pub const DEFAULT_COUNT: u64 = 10_000;

/// Regenerates the cases of an accumulated vector. Cases of a documented leniency (which the
/// corpus marks `acceptable`, so a lenient implementation is not wrong) are drawn again: a
/// family must be passed by every correct implementation.
pub fn cases(op: &str, seed: u64, count: u64) -> Result<Vec<Value>, String> {
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    while (out.len() as u64) < count {
        let args = accumulated_args(&mut g, op)?;
        if !is_leniency(op, &args) {
            out.push(args);
        }
    }
    Ok(out)
}

fn hex_arg(args: &Value, name: &str) -> Vec<u8> {
    args.get(name)
        .and_then(Value::as_str)
        .and_then(|s| crate::wire::from_hex(s).ok())
        .unwrap_or_default()
}

/// Whether the reference rejects `args` only because of a leniency that the corpus marks
/// `acceptable` (docs/VECTORS.md): an unchecked Mixin version byte or key padding, Themis's
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

/// Runs one accumulated vector against `imp`: one outcome for the whole family.
pub fn run(imp: &mut dyn Implementation, op: &str, seed: u64, count: u64, want: &str) -> Outcome {
    let cases = match cases(op, seed, count) {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(format!("cannot regenerate the cases: {e}")),
    };
    // In chunks, so an implementation that crashes is not restarted thousands of times: the
    // first case without a reply decides the outcome.
    let mut results = Vec::with_capacity(cases.len());
    for chunk in cases.chunks(CHUNK) {
        let requests: Vec<(&str, &Value)> = chunk.iter().map(|a| (op, a)).collect();
        let replies = imp.call_many(&requests, &mut |_| {});
        let failed = replies.iter().any(|r| r.is_err());
        results.extend(replies);
        if failed {
            break;
        }
    }
    let mut replies = Vec::with_capacity(results.len());
    let mut unsupported = 0usize;
    let mut first_unsupported = String::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(Reply::Unsupported(why)) => {
                if unsupported == 0 {
                    first_unsupported = format!("case {i}: {why}");
                }
                unsupported += 1;
                replies.push(Reply::Unsupported(why));
            }
            Ok(reply) => replies.push(reply),
            Err(Failure::Crashed(m)) => {
                return Outcome::NoReply(Failure::Crashed(format!("case {i}: {m}")))
            }
            Err(other) => return Outcome::NoReply(other),
        }
    }
    if unsupported == replies.len() {
        return Outcome::Skipped(format!("every case is unsupported ({first_unsupported})"));
    }
    if unsupported == 0 && digest(op, &cases, &replies) == want {
        return Outcome::Pass;
    }
    // Compare case by case with the reference (whose digest `sealcheck lint` checks), leaving
    // out the cases the implementation does not support.
    let mut reference = Reference::default();
    for (i, (args, got)) in cases.iter().zip(&replies).enumerate() {
        if matches!(got, Reply::Unsupported(_)) {
            continue;
        }
        let expected = reference.answer(op, args);
        let (e, g) = (canonical(op, args, &expected), canonical(op, args, got));
        if e != g {
            let short = |s: String| s.chars().take(160).collect::<String>();
            return Outcome::Fail(format!(
                "case {i} of {count} (seed {seed}): expected {}, got {}; args {}",
                short(e),
                short(g),
                short(args.to_string())
            ));
        }
    }
    if unsupported > 0 {
        // Every supported case agrees; say what was left out.
        return Outcome::Acceptable(format!(
            "{} of {count} cases agree; {unsupported} unsupported ({first_unsupported})",
            replies.len() - unsupported
        ));
    }
    Outcome::Fail("the digest differs from the recorded one, although every case agrees with this reference: the corpus is stale".into())
}
