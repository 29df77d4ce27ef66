//! Judging one reply against its vector: exactly one [`Outcome`] per vector.

use crate::corpus::{Vector, Verdict};
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
            (None, Some(check)) => match check.holds(op, &vector.args, got) {
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
