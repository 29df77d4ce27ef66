//! How the reference's answer and the implementation's compare, and what a disagreement is.

use crate::protocol::{Failure, Reply};
use serde_json::Value;

/// Ops whose output is a function of the args (the randomised ones are skipped).
pub(super) fn deterministic(op: &str, args: &Value) -> bool {
    match op {
        "themis.sign" => false,
        "mixin.encrypt" | "themis.encrypt" => args.get("random").is_some_and(|r| !r.is_null()),
        _ => true,
    }
}

/// What a disagreement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The reference rejects, the IUT accepts.
    InvalidAccepted,
    /// The reference accepts, the IUT rejects.
    ValidRejected,
    /// Both accept with different outputs.
    DifferentOutput,
    /// The IUT crashed, timed out or broke the protocol.
    NoReply,
}

impl Kind {
    /// Short name for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Kind::InvalidAccepted => "invalid-accepted",
            Kind::ValidRejected => "valid-rejected",
            Kind::DifferentOutput => "different-output",
            Kind::NoReply => "iut-no-reply",
        }
    }
}

/// How the two answers compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Same verdict (and output), or both rejected at the same stage (or one without a stage).
    Agree,
    /// The IUT does not support this request.
    Unsupported,
    /// Both rejected, at different canonical stages.
    StageMismatch,
    /// A disagreement.
    Disagree(Kind),
}

/// Compares the reference's reply with the IUT's.
pub fn compare(reference: &Reply, iut: &Result<Reply, Failure>) -> Comparison {
    match (reference, iut) {
        (_, Ok(Reply::Unsupported(_))) => Comparison::Unsupported,
        (_, Err(_)) => Comparison::Disagree(Kind::NoReply),
        (Reply::Ok(a), Ok(Reply::Ok(b))) if a == b => Comparison::Agree,
        (Reply::Ok(_), Ok(Reply::Ok(_))) => Comparison::Disagree(Kind::DifferentOutput),
        (Reply::Ok(_), Ok(Reply::Error { .. })) => Comparison::Disagree(Kind::ValidRejected),
        (Reply::Error { .. }, Ok(Reply::Ok(_))) => Comparison::Disagree(Kind::InvalidAccepted),
        (Reply::Error { stage: Some(a), .. }, Ok(Reply::Error { stage: Some(b), .. }))
            if a != b =>
        {
            Comparison::StageMismatch
        }
        (Reply::Unsupported(_), _) => Comparison::Unsupported,
        _ => Comparison::Agree,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Stage;
    use serde_json::json;

    #[test]
    fn comparisons() {
        let ok = |v: Value| Reply::Ok(v);
        let err = |s: Option<Stage>| Reply::error("x", None, s);
        assert_eq!(compare(&ok(json!(1)), &Ok(ok(json!(1)))), Comparison::Agree);
        assert_eq!(
            compare(&ok(json!(1)), &Ok(ok(json!(2)))),
            Comparison::Disagree(Kind::DifferentOutput)
        );
        assert_eq!(
            compare(&err(Some(Stage::Length)), &Ok(ok(json!(1)))),
            Comparison::Disagree(Kind::InvalidAccepted)
        );
        assert_eq!(
            compare(&ok(json!(1)), &Ok(err(None))),
            Comparison::Disagree(Kind::ValidRejected)
        );
        assert_eq!(
            compare(&err(Some(Stage::Length)), &Ok(err(Some(Stage::Version)))),
            Comparison::StageMismatch
        );
        assert_eq!(
            compare(&err(Some(Stage::Length)), &Ok(err(None))),
            Comparison::Agree
        );
        assert_eq!(
            compare(&ok(json!(1)), &Err(Failure::Crashed("x".into()))),
            Comparison::Disagree(Kind::NoReply)
        );
    }
}
