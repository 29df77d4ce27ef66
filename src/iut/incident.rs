//! Incidents: every crash, timeout, protocol violation and exit of a target process, recorded
//! with what the harness saw at the time, whether or not a rerun reproduces it.
//!
//! A rerun that reproduces an incident pins it to one request, which then gets the outcome;
//! one that no rerun reproduces is still a defect (memory corruption, state carried between
//! requests, a race) and fails the run (docs/REPORTS.md).

use crate::protocol::Failure;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What kind of thing happened. With the op, it makes the incident's class
/// (`signal/mixin.decrypt`), which an expectations file can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// The process exited on its own while requests were in flight or during its handshake.
    Exit,
    /// The process died of a signal that the harness did not send (a segfault, an abort).
    Signal,
    /// No reply, and no other progress, within the timeout; the harness killed the process.
    Timeout,
    /// A stdout line that is not JSON.
    NotJson,
    /// A JSON line that is not a reply of PROTOCOL.md's shape.
    BadReply,
    /// A reply with an id that was never sent.
    UnknownId,
    /// A second reply to an id that was already answered.
    RepeatedId,
    /// A stdout line longer than the maximum line length.
    LineTooLong,
}

impl IncidentKind {
    /// Every kind, in documentation order.
    pub const ALL: [IncidentKind; 8] = [
        IncidentKind::Exit,
        IncidentKind::Signal,
        IncidentKind::Timeout,
        IncidentKind::NotJson,
        IncidentKind::BadReply,
        IncidentKind::UnknownId,
        IncidentKind::RepeatedId,
        IncidentKind::LineTooLong,
    ];

    /// The kind's name in reports and class keys.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Exit => "exit",
            IncidentKind::Signal => "signal",
            IncidentKind::Timeout => "timeout",
            IncidentKind::NotJson => "not-json",
            IncidentKind::BadReply => "bad-reply",
            IncidentKind::UnknownId => "unknown-id",
            IncidentKind::RepeatedId => "repeated-id",
            IncidentKind::LineTooLong => "line-too-long",
        }
    }

    /// The failure a request gets when this kind of incident is pinned to it.
    pub fn failure(self, what: &str, timeout: Duration) -> Failure {
        match self {
            IncidentKind::Exit | IncidentKind::Signal => Failure::Crashed(what.to_owned()),
            IncidentKind::Timeout => Failure::Timeout(timeout),
            _ => Failure::ProtocolError(what.to_owned()),
        }
    }
}

/// A request that was in flight when an incident happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    /// The protocol id it was sent with.
    pub id: u64,
    /// What the caller calls it: a vector id, or a family case.
    pub name: String,
}

/// One incident of a target process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// What kind of thing happened.
    pub kind: IncidentKind,
    /// The op it is about: that of the request at fault when one is known, else the one op of
    /// every request in flight, `hello` during a start, `*` when several ops were in flight.
    pub op: String,
    /// What happened, in words.
    pub what: String,
    /// How the process ended: its exit status or signal, or killed by the harness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// The offending stdout line, cut to [`LINE_EXCERPT`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// The unknown or repeated id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The request whose id was answered twice, when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub culprit: Option<String>,
    /// The requests in flight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_flight: Vec<InFlight>,
    /// The tail of the process's stderr, up to [`STDERR_EXCERPT`] bytes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr_tail: String,
    /// The requests whose reruns, alone and then alone on a fresh process, did it again; empty
    /// when no rerun reproduced it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reproduced_by: Vec<String>,
}

/// How much of an offending line an incident keeps.
pub const LINE_EXCERPT: usize = 200;
/// How much of the stderr tail an incident keeps.
pub const STDERR_EXCERPT: usize = 1024;

impl Incident {
    /// The class an expectations file lists: `kind/op`.
    pub fn class(&self) -> String {
        format!("{}/{}", self.kind.as_str(), self.op)
    }

    /// Whether a lock-step rerun pinned it to a request (which then has the outcome).
    pub fn reproduced(&self) -> bool {
        !self.reproduced_by.is_empty()
    }
}

/// `s` cut to at most `max` characters, with a mark when something was cut.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut chars = s.char_indices();
    match chars.nth(max) {
        None => s.to_owned(),
        Some((end, _)) => format!("{}… ({} bytes)", s.get(..end).unwrap_or_default(), s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_excerpts() {
        let i = Incident {
            kind: IncidentKind::RepeatedId,
            op: "mixin.checksum".into(),
            what: String::new(),
            ended: None,
            line: None,
            id: Some(3),
            culprit: None,
            in_flight: vec![],
            stderr_tail: String::new(),
            reproduced_by: vec![],
        };
        assert_eq!(i.class(), "repeated-id/mixin.checksum");
        assert!(!i.reproduced());
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["kind"], "repeated-id");
        assert!(json.get("in_flight").is_none());
        assert_eq!(excerpt("héllo", 10), "héllo");
        assert_eq!(excerpt("héllo", 2), "hé… (6 bytes)");
        for k in IncidentKind::ALL {
            let named: IncidentKind =
                serde_json::from_value(serde_json::json!(k.as_str())).unwrap();
            assert_eq!(named, k);
        }
        assert!(matches!(
            IncidentKind::Signal.failure("x", Duration::ZERO),
            Failure::Crashed(_)
        ));
        assert!(matches!(
            IncidentKind::UnknownId.failure("x", Duration::ZERO),
            Failure::ProtocolError(_)
        ));
    }
}
