//! What an implementation answered, kept beside each judged outcome: the reply's kind, stage
//! and message, and whether its output was the expected one. The JSON report carries these
//! records, and observation files (`corpus::observation`) are made from them, so a verdict
//! can cite what a real implementation was seen to do rather than what the reference says.

use super::Outcome;
use crate::corpus::{Vector, Verdict};
use crate::protocol::{Failure, Reply};
use crate::wire::Stage;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest message or output kept verbatim; longer ones are cut (outputs: left out, the
/// digest identifies them).
pub const KEEP_CHARS: usize = 160;

/// The kind of answer an implementation gave to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyKind {
    /// An `ok` reply.
    Ok,
    /// An `error` reply: the input was rejected.
    Error,
    /// An `unsupported` reply.
    Unsupported,
    /// No reply: a crash, a timeout or a protocol violation (the outcome says which).
    NoReply,
}

/// One reply as the report records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRecord {
    /// What kind of answer it was.
    pub kind: ReplyKind,
    /// The canonical stage of an error reply, when the implementation named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The implementation's own error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error message, the reason given for `unsupported`, or what went wrong without a
    /// reply; cut to [`KEEP_CHARS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For an `ok` reply to a valid vector: whether it was exactly the expected output (for a
    /// randomised output: whether the reference's check held).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_matches: Option<bool>,
    /// For an `ok` reply: SHA-256 (hex) of the `ok` payload's JSON text; absent for a
    /// randomised output (a vector with a `check`), which differs on every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_sha256: Option<String>,
    /// For an `ok` reply whose JSON is at most [`KEEP_CHARS`] long: the payload itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// What an implementation produced for an accumulated family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyRecord {
    /// The digest of its replies, when it answered every case (none unsupported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Whether that digest is the one the corpus records.
    pub matches: bool,
    /// Cases in the family.
    pub cases: u64,
    /// Cases answered before the run of the family ended (a crash or timeout ends it).
    pub answered: u64,
    /// Cases answered `unsupported`.
    pub unsupported: u64,
}

/// Cuts `s` to [`KEEP_CHARS`] characters, marking the cut.
pub fn cut(s: &str) -> String {
    if s.chars().count() <= KEEP_CHARS {
        s.to_owned()
    } else {
        let head: String = s.chars().take(KEEP_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// SHA-256 (hex) of a text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The record of `reply` to `vector`, judged as `outcome`.
pub fn record_reply(
    vector: &Vector,
    reply: &Result<Reply, Failure>,
    outcome: &Outcome,
) -> ReplyRecord {
    let empty = ReplyRecord {
        kind: ReplyKind::NoReply,
        stage: None,
        code: None,
        message: None,
        output_matches: None,
        output_sha256: None,
        output: None,
    };
    match reply {
        Err(failure) => ReplyRecord {
            message: Some(cut(&failure.to_string())),
            ..empty
        },
        Ok(Reply::Unsupported(why)) => ReplyRecord {
            kind: ReplyKind::Unsupported,
            message: Some(cut(why)),
            ..empty
        },
        Ok(Reply::Error {
            message,
            code,
            stage,
        }) => ReplyRecord {
            kind: ReplyKind::Error,
            stage: *stage,
            code: code.as_deref().map(cut),
            message: Some(cut(message)),
            ..empty
        },
        Ok(Reply::Ok(value)) => {
            // A randomised output is checked, not compared; its bytes say nothing the next
            // run would repeat, so the record keeps only whether the check held.
            let fixed = vector.expected.check.is_none();
            let text = value.to_string();
            ReplyRecord {
                kind: ReplyKind::Ok,
                output_matches: (vector.expected.result == Verdict::Valid)
                    .then_some(*outcome == Outcome::Pass),
                output_sha256: fixed.then(|| sha256_hex(&text)),
                output: (fixed && text.chars().count() <= KEEP_CHARS).then_some(text),
                ..empty
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Expected, Provenance};
    use serde_json::json;

    fn vector(result: Verdict) -> Vector {
        Vector {
            id: "mixin.checksum/x/y".into(),
            comment: "c".into(),
            flags: vec![],
            args: json!({}),
            expected: Expected {
                result,
                ok: Some(json!({"checksum": "ab"})),
                stage: None,
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

    #[test]
    fn an_ok_reply_records_whether_it_was_the_expected_output() {
        let v = vector(Verdict::Valid);
        let reply = Ok(Reply::Ok(json!({"checksum": "ab"})));
        let r = record_reply(&v, &reply, &Outcome::Pass);
        assert_eq!(r.kind, ReplyKind::Ok);
        assert_eq!(r.output_matches, Some(true));
        assert_eq!(r.output.as_deref(), Some(r#"{"checksum":"ab"}"#));
        assert_eq!(
            r.output_sha256.as_deref(),
            Some(sha256_hex(r#"{"checksum":"ab"}"#).as_str())
        );
        let wrong = record_reply(&v, &reply, &Outcome::Fail("wrong output".into()));
        assert_eq!(wrong.output_matches, Some(false));
        // An invalid vector has no expected output to compare with.
        let inv = record_reply(
            &vector(Verdict::Invalid),
            &reply,
            &Outcome::Fail("x".into()),
        );
        assert_eq!(inv.output_matches, None);
    }

    #[test]
    fn long_outputs_keep_only_their_digest_and_messages_are_cut() {
        let v = vector(Verdict::Valid);
        let long = json!({"checksum": "a".repeat(400)});
        let r = record_reply(&v, &Ok(Reply::Ok(long)), &Outcome::Fail("x".into()));
        assert_eq!(r.output, None);
        assert_eq!(r.output_sha256.as_ref().map(String::len), Some(64));
        let err = Reply::error("e".repeat(1000), Some("E1"), Some(Stage::Length));
        let r = record_reply(&v, &Ok(err), &Outcome::Fail("x".into()));
        assert_eq!(r.kind, ReplyKind::Error);
        assert_eq!(r.stage, Some(Stage::Length));
        assert_eq!(r.code.as_deref(), Some("E1"));
        assert_eq!(
            r.message.as_ref().map(|m| m.chars().count()),
            Some(KEEP_CHARS)
        );
        let gone = record_reply(
            &v,
            &Err(Failure::Crashed("exit status: 2".into())),
            &Outcome::NoReply(Failure::Crashed("exit status: 2".into())),
        );
        assert_eq!(gone.kind, ReplyKind::NoReply);
        assert_eq!(gone.message.as_deref(), Some("crashed: exit status: 2"));
    }
}
