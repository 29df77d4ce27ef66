//! Judging one reply against its vector: exactly one [`Outcome`] per vector.

use crate::corpus::{Check, Vector, Verdict};
use crate::mixin;
use crate::protocol::{Failure, Reply};
use crate::wire::Stage;
use serde_json::Value;
use std::fmt;

/// What happened to one vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The implementation did what the vector requires.
    Pass,
    /// Wrong output, an invalid input accepted, or a valid one rejected.
    Fail(String),
    /// Rejected, but at another stage than the vector names.
    StageMismatch {
        /// The vector's stage.
        expected: Stage,
        /// The implementation's.
        got: Stage,
    },
    /// An `acceptable` vector; what the implementation did.
    Acceptable(String),
    /// Not run: the implementation does not support it.
    Skipped(String),
    /// The implementation gave no reply: crash, timeout or protocol violation.
    NoReply(Failure),
}

impl Outcome {
    /// Every label, in report order.
    pub const LABELS: [&'static str; 8] = [
        "pass",
        "fail",
        "stage-mismatch",
        "acceptable",
        "skipped",
        "crashed",
        "timeout",
        "protocol-error",
    ];

    /// Short name for tables and reports.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::StageMismatch { .. } => "stage-mismatch",
            Outcome::Acceptable(_) => "acceptable",
            Outcome::Skipped(_) => "skipped",
            Outcome::NoReply(Failure::Crashed(_)) => "crashed",
            Outcome::NoReply(Failure::Timeout(_)) => "timeout",
            Outcome::NoReply(Failure::ProtocolError(_)) => "protocol-error",
        }
    }

    /// Whether this outcome makes a run non-conforming.
    pub fn is_failure(&self, strict: bool) -> bool {
        match self {
            Outcome::Fail(_) | Outcome::NoReply(_) => true,
            Outcome::StageMismatch { .. } => strict,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Pass => f.write_str("pass"),
            Outcome::Fail(why) => write!(f, "fail: {why}"),
            Outcome::StageMismatch { expected, got } => {
                write!(f, "stage mismatch: expected {expected}, rejected at {got}")
            }
            Outcome::Acceptable(what) => write!(f, "acceptable: {what}"),
            Outcome::Skipped(why) => write!(f, "skipped: {why}"),
            Outcome::NoReply(failure) => write!(f, "{failure}"),
        }
    }
}

/// Judges one reply (or the lack of one) against its vector.
pub fn judge(op: &str, vector: &Vector, reply: &Result<Reply, Failure>) -> Outcome {
    let reply = match reply {
        Ok(r) => r,
        Err(f) => return Outcome::NoReply(f.clone()),
    };
    let expected = &vector.expected;
    match (expected.result, reply) {
        (_, Reply::Unsupported(why)) => Outcome::Skipped(why.clone()),
        (Verdict::Valid, Reply::Ok(got)) => match (&expected.ok, &expected.check) {
            (Some(want), _) if want == got => Outcome::Pass,
            (Some(want), _) => Outcome::Fail(format!(
                "wrong output: expected {}, got {}",
                short(want),
                short(got)
            )),
            (None, Some(check)) => match check_randomised(op, &vector.args, check, got) {
                Ok(()) => Outcome::Pass,
                Err(why) => Outcome::Fail(why),
            },
            (None, None) => Outcome::Fail(format!(
                "{op}: the vector has neither an output nor a check"
            )),
        },
        (Verdict::Valid, Reply::Error { message, .. }) => {
            Outcome::Fail(format!("valid input rejected: {message}"))
        }
        (Verdict::Invalid, Reply::Ok(got)) => {
            Outcome::Fail(format!("invalid input accepted, answering {}", short(got)))
        }
        (Verdict::Invalid, Reply::Error { stage, .. }) => match (expected.stage, stage) {
            (Some(want), Some(got)) if want != *got => Outcome::StageMismatch {
                expected: want,
                got: *got,
            },
            _ => Outcome::Pass,
        },
        (Verdict::Acceptable, Reply::Ok(got)) => {
            Outcome::Acceptable(format!("accepted, answering {}", short(got)))
        }
        (Verdict::Acceptable, Reply::Error { message, .. }) => {
            Outcome::Acceptable(format!("rejected: {message}"))
        }
    }
}

/// A JSON value cut to a readable length for reports.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() <= 160 {
        s
    } else {
        let head: String = s.chars().take(150).collect();
        format!("{head}… ({} chars)", s.len())
    }
}

fn hex_field(v: &Value, name: &str) -> Result<Vec<u8>, String> {
    let s = v
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the output has no hex field {name:?}"))?;
    crate::wire::from_hex(s).map_err(|e| format!("{name}: {e}"))
}

/// Checks a randomised output by opening or verifying it with the reference.
fn check_randomised(op: &str, args: &Value, check: &Check, got: &Value) -> Result<(), String> {
    match check {
        Check::MixinDecrypt { recipients } => check_mixin_body(args, recipients, got),
        Check::ThemisVerify { public_key } => {
            let signed = hex_field(got, "signed")?;
            let key = crate::wire::from_hex(public_key)?;
            let message = crate::themis::verify(&key, &signed).map_err(|e| {
                format!("the signed message does not verify with the reference: {e}")
            })?;
            expect_same(&message, &hex_field(args, "message")?, "verified message")
        }
        Check::ThemisDecrypt {
            private_key,
            peer_public_key,
        } => {
            let encrypted = hex_field(got, "encrypted")?;
            let message = crate::themis::decrypt(
                &crate::wire::from_hex(private_key)?,
                &crate::wire::from_hex(peer_public_key)?,
                &encrypted,
            )
            .map_err(|e| format!("{op}: the reference cannot decrypt the output: {e}"))?;
            expect_same(&message, &hex_field(args, "message")?, "decrypted message")
        }
    }
}

fn expect_same(got: &[u8], want: &[u8], what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "the {what} differs from the input ({} bytes instead of {})",
            got.len(),
            want.len()
        ))
    }
}

fn check_mixin_body(
    args: &Value,
    recipients: &[crate::corpus::MixinRecipient],
    got: &Value,
) -> Result<(), String> {
    let body_bytes = hex_field(got, "body")?;
    let body =
        mixin::Body::parse(&body_bytes).map_err(|e| format!("the body does not parse: {e}"))?;
    let plaintext = hex_field(args, "plaintext")?;
    let sessions = args
        .get("sessions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if usize::from(body.session_count) != sessions.len() {
        return Err(format!(
            "session count {} for {} sessions",
            body.session_count,
            sessions.len()
        ));
    }
    for (i, (block, s)) in body.blocks.iter().zip(&sessions).enumerate() {
        let id = s
            .get("session_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let want = uuid::Uuid::parse_str(id)
            .map(|u| u.into_bytes())
            .map_err(|e| e.to_string())?;
        if block.session_id != want {
            return Err(format!(
                "block {i} carries session {} instead of {id}",
                block.session_id_string()
            ));
        }
    }
    let seed = mixin::keys::seed(&hex_field(args, "private_key")?).map_err(|e| e.to_string())?;
    let sender = mixin::keys::public_to_x25519(&mixin::keys::ed25519_public(&seed))
        .map_err(|e| e.to_string())?;
    if body.sender_key != sender {
        return Err("the header key is not the sender's key in Montgomery form".into());
    }
    if body.sealed.len() != plaintext.len() + 16 {
        return Err(format!(
            "ciphertext and tag are {} bytes for {} bytes of plaintext",
            body.sealed.len(),
            plaintext.len()
        ));
    }
    for r in recipients {
        let key = crate::wire::from_hex(&r.private_key)?;
        let opened = mixin::decrypt(&key, &r.session_id, &body_bytes)
            .map_err(|e| format!("session {} cannot open the body: {e}", r.session_id))?;
        expect_same(&opened, &plaintext, "decrypted plaintext")?;
    }
    Ok(())
}
