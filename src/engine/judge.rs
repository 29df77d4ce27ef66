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
    /// Rejected, but at a stage outside the vector's stage set.
    StageMismatch {
        /// The vector's stage (the reference's).
        expected: Stage,
        /// Every stage the vector allows, `expected` first (just `expected` for most).
        allowed: Vec<Stage>,
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
            Outcome::StageMismatch {
                expected,
                allowed,
                got,
            } => {
                if allowed.len() > 1 {
                    let set: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
                    write!(
                        f,
                        "stage mismatch: expected one of {{{}}}, rejected at {got}",
                        set.join(", ")
                    )
                } else {
                    write!(f, "stage mismatch: expected {expected}, rejected at {got}")
                }
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
        (Verdict::Invalid, Reply::Error { stage, .. }) => {
            let allowed = expected.stage_set();
            match (expected.stage, stage) {
                (Some(want), Some(got)) if !allowed.contains(got) => Outcome::StageMismatch {
                    expected: want,
                    allowed,
                    got: *got,
                },
                _ => Outcome::Pass,
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Check, Expected, Provenance};
    use serde_json::json;

    fn vector(result: Verdict, ok: Option<Value>, stage: Option<Stage>) -> Vector {
        Vector {
            id: "mixin.checksum/x/y".into(),
            comment: "c".into(),
            flags: vec![],
            args: json!({"session_ids": []}),
            expected: Expected {
                result,
                ok,
                stage,
                stages: Vec::new(),
                unconfirmed: None,
                check: None,
                provenance: vec![Provenance {
                    kind: "reference".into(),
                    source: "test".into(),
                }],
            },
        }
    }

    fn ok(v: Value) -> Result<Reply, Failure> {
        Ok(Reply::Ok(v))
    }

    fn err(stage: Option<Stage>) -> Result<Reply, Failure> {
        Ok(Reply::error("no", None, stage))
    }

    const OP: &str = "mixin.checksum";

    #[test]
    fn valid_vectors_pass_only_with_the_exact_output() {
        let v = vector(Verdict::Valid, Some(json!({"checksum": ""})), None);
        assert_eq!(judge(OP, &v, &ok(json!({"checksum": ""}))), Outcome::Pass);
        let wrong = judge(
            OP,
            &v,
            &ok(json!({"checksum": "d41d8cd98f00b204e9800998ecf8427e"})),
        );
        assert!(
            matches!(&wrong, Outcome::Fail(w) if w.contains("wrong output")),
            "{wrong}"
        );
        assert!(
            matches!(judge(OP, &v, &err(Some(Stage::Key))), Outcome::Fail(w) if w.contains("valid input rejected"))
        );
        let neither = vector(Verdict::Valid, None, None);
        assert!(matches!(
            judge(OP, &neither, &ok(json!({}))),
            Outcome::Fail(_)
        ));
    }

    #[test]
    fn randomised_outputs_are_judged_by_their_check() {
        // A Themis signature the reference cannot verify fails the check.
        let mut v = vector(Verdict::Valid, None, None);
        v.expected.check = Some(Check::ThemisVerify {
            public_key: "00".into(),
        });
        let got = judge("themis.sign", &v, &ok(json!({"signed": "00"})));
        assert!(matches!(got, Outcome::Fail(_)), "{got}");
    }

    #[test]
    fn invalid_vectors_pass_when_rejected_and_mismatch_only_at_another_stage() {
        let v = vector(Verdict::Invalid, None, Some(Stage::Length));
        assert_eq!(judge(OP, &v, &err(Some(Stage::Length))), Outcome::Pass);
        assert_eq!(
            judge(OP, &v, &err(None)),
            Outcome::Pass,
            "no stage: not a mismatch"
        );
        let other = judge(OP, &v, &err(Some(Stage::Authentication)));
        assert_eq!(
            other,
            Outcome::StageMismatch {
                expected: Stage::Length,
                allowed: vec![Stage::Length],
                got: Stage::Authentication
            }
        );
        assert!(!other.is_failure(false) && other.is_failure(true));
        let accepted = judge(OP, &v, &ok(json!({"checksum": ""})));
        assert!(matches!(&accepted, Outcome::Fail(w) if w.contains("invalid input accepted")));
        assert!(accepted.is_failure(false));
    }

    #[test]
    fn a_stage_set_allows_each_of_its_stages_and_no_other() {
        let mut v = vector(Verdict::Invalid, None, Some(Stage::SessionCount));
        v.expected.stages = vec![Stage::SessionCount, Stage::Length];
        assert_eq!(
            judge(OP, &v, &err(Some(Stage::SessionCount))),
            Outcome::Pass
        );
        assert_eq!(judge(OP, &v, &err(Some(Stage::Length))), Outcome::Pass);
        let outside = judge(OP, &v, &err(Some(Stage::Authentication)));
        assert_eq!(
            outside,
            Outcome::StageMismatch {
                expected: Stage::SessionCount,
                allowed: vec![Stage::SessionCount, Stage::Length],
                got: Stage::Authentication
            }
        );
        assert!(outside.is_failure(true));
        assert!(
            outside
                .to_string()
                .contains("one of {session_count, length}"),
            "{outside}"
        );
    }

    #[test]
    fn acceptable_vectors_never_fail_and_say_what_happened() {
        let v = vector(Verdict::Acceptable, None, Some(Stage::Version));
        let a = judge(OP, &v, &ok(json!({"checksum": ""})));
        assert!(
            matches!(&a, Outcome::Acceptable(w) if w.starts_with("accepted")),
            "{a}"
        );
        let r = judge(OP, &v, &err(Some(Stage::Key)));
        assert!(
            matches!(&r, Outcome::Acceptable(w) if w.starts_with("rejected")),
            "{r}"
        );
        assert!(!a.is_failure(true) && !r.is_failure(true));
    }

    #[test]
    fn unsupported_and_missing_replies() {
        let v = vector(Verdict::Invalid, None, Some(Stage::Length));
        let skipped = judge(OP, &v, &Ok(Reply::Unsupported("no".into())));
        assert_eq!(skipped, Outcome::Skipped("no".into()));
        assert!(!skipped.is_failure(true));
        let gone = judge(OP, &v, &Err(Failure::Crashed("signal 11".into())));
        assert_eq!(gone.label(), "crashed");
        assert!(gone.is_failure(false));
        let late = judge(
            OP,
            &v,
            &Err(Failure::Timeout(std::time::Duration::from_secs(1))),
        );
        assert_eq!(late.label(), "timeout");
    }
}
