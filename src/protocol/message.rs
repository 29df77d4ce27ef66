//! The messages of docs/PROTOCOL.md: the handshake, a reply, and the lack of one.

use crate::wire::Stage;
use serde_json::Value;

/// What an implementation says about itself in the protocol handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// Implementation name, e.g. `sealcheck-reference`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The ops it implements; the harness never sends others.
    pub ops: Vec<String>,
}

/// An implementation's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The op succeeded; fields depend on the op (PROTOCOL.md).
    Ok(Value),
    /// The input was rejected.
    Error {
        /// The implementation's own error text.
        message: String,
        /// Its own error code, if it has one.
        code: Option<String>,
        /// The canonical stage, if the implementation can tell.
        stage: Option<Stage>,
    },
    /// The op, or this variant of it, is not implemented.
    Unsupported(String),
}

impl Reply {
    /// An error reply from anything displayable with a stage.
    pub fn error(message: impl Into<String>, code: Option<&str>, stage: Option<Stage>) -> Reply {
        Reply::Error {
            message: message.into(),
            code: code.map(str::to_owned),
            stage,
        }
    }
}

/// When an implementation gave no reply at all: these end a vector without judging it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The process exited or crashed; its exit status and the tail of its stderr.
    Crashed(String),
    /// No reply within the per-request timeout.
    Timeout(std::time::Duration),
    /// A reply that breaks PROTOCOL.md (not JSON, wrong id, wrong shape).
    ProtocolError(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Crashed(what) => write!(f, "crashed: {what}"),
            Failure::Timeout(t) => write!(f, "no reply within {} ms", t.as_millis()),
            Failure::ProtocolError(what) => write!(f, "protocol error: {what}"),
        }
    }
}
