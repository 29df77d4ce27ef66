//! The canonical rejection stages of docs/PROTOCOL.md, shared by both formats.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a careful implementation rejects a malformed input.
///
/// Every error of the reference maps onto exactly one stage, so a vector can name the
/// stage an implementation under test must reject at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A key of the wrong length, a bad key container, an invalid scalar or point.
    Key,
    /// A private key where a public one is expected (or the reverse), or EC and RSA mixed.
    KeyKind,
    /// A length that disagrees with the data.
    Length,
    /// An unknown Mixin version byte.
    Version,
    /// An unknown Themis message type.
    Header,
    /// A Mixin session count that the body cannot hold.
    SessionCount,
    /// No Mixin block for the given session id.
    SessionNotFound,
    /// The wrapped Mixin message key has bad padding.
    KeyUnwrap,
    /// An AEAD tag that does not verify.
    Authentication,
    /// A Themis signature that does not verify, or is not DER.
    Signature,
    /// An empty Themis message.
    Empty,
    /// An unknown or unsupported Secure Cell algorithm id.
    Algorithm,
}

impl Stage {
    /// Every stage, in the order of the table in PROTOCOL.md.
    pub const ALL: [Stage; 12] = [
        Stage::Key,
        Stage::KeyKind,
        Stage::Length,
        Stage::Version,
        Stage::Header,
        Stage::SessionCount,
        Stage::SessionNotFound,
        Stage::KeyUnwrap,
        Stage::Authentication,
        Stage::Signature,
        Stage::Empty,
        Stage::Algorithm,
    ];

    /// The wire name used in vectors and protocol responses.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Key => "key",
            Stage::KeyKind => "key_kind",
            Stage::Length => "length",
            Stage::Version => "version",
            Stage::Header => "header",
            Stage::SessionCount => "session_count",
            Stage::SessionNotFound => "session_not_found",
            Stage::KeyUnwrap => "key_unwrap",
            Stage::Authentication => "authentication",
            Stage::Signature => "signature",
            Stage::Empty => "empty",
            Stage::Algorithm => "algorithm",
        }
    }

    /// Parses a wire name; `None` for anything PROTOCOL.md does not define.
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_name(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(Stage::from_name("KEY"), None);
    }
}
