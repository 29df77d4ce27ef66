//! The one seam between the harness and anything it checks: the [`Implementation`] trait.
//!
//! The reference implements it in process; the subprocess client implements it by speaking
//! docs/PROTOCOL.md to a child process.

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

    /// Writes the response line (without the newline) straight to `w`, building no
    /// intermediate JSON value: `serve` spends its time on the crypto, not on copies.
    pub fn write_json(&self, id: u64, w: &mut impl std::io::Write) -> std::io::Result<()> {
        write!(w, "{{\"id\":{id},")?;
        match self {
            Reply::Ok(v) => {
                w.write_all(b"\"ok\":")?;
                serde_json::to_writer(&mut *w, v)?;
            }
            Reply::Error {
                message,
                code,
                stage,
            } => {
                w.write_all(b"\"error\":{\"message\":")?;
                serde_json::to_writer(&mut *w, message)?;
                if let Some(c) = code {
                    w.write_all(b",\"code\":")?;
                    serde_json::to_writer(&mut *w, c)?;
                }
                if let Some(s) = stage {
                    write!(w, ",\"stage\":\"{}\"", s.as_str())?;
                }
                w.write_all(b"}")?;
            }
            Reply::Unsupported(reason) => {
                w.write_all(b"\"unsupported\":")?;
                serde_json::to_writer(&mut *w, reason)?;
            }
        }
        w.write_all(b"}")
    }

    /// The JSON response line body (without `id`), as PROTOCOL.md writes it.
    pub fn to_json(&self, id: u64) -> Value {
        match self {
            Reply::Ok(v) => serde_json::json!({ "id": id, "ok": v }),
            Reply::Error {
                message,
                code,
                stage,
            } => {
                let mut e = serde_json::Map::new();
                e.insert("message".into(), Value::String(message.clone()));
                if let Some(c) = code {
                    e.insert("code".into(), Value::String(c.clone()));
                }
                if let Some(s) = stage {
                    e.insert("stage".into(), Value::String(s.as_str().into()));
                }
                serde_json::json!({ "id": id, "error": e })
            }
            Reply::Unsupported(reason) => serde_json::json!({ "id": id, "unsupported": reason }),
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

/// Anything the harness can check: in-process Rust code or a child process.
pub trait Implementation {
    /// The child process behind this implementation, if it is one (for restart counts and
    /// its stderr in reports).
    fn as_any_subprocess(&self) -> Option<&subprocess::Subprocess> {
        None
    }

    /// The handshake: name, version and supported ops.
    fn hello(&mut self) -> Result<Hello, String>;
    /// Runs one op with PROTOCOL.md's args and returns the implementation's reply.
    fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure>;

    /// Runs many requests, one result per request in the same order; `progress` is told how
    /// many have finished. Child processes override this to pipeline.
    fn call_many(
        &mut self,
        requests: &[(&str, &Value)],
        progress: &mut dyn FnMut(usize),
    ) -> Vec<Result<Reply, Failure>> {
        requests
            .iter()
            .enumerate()
            .map(|(i, (op, args))| {
                let r = self.call(op, args);
                progress(i + 1);
                r
            })
            .collect()
    }
}

mod reference;
mod serve;
pub mod subprocess;

pub use reference::{Reference, Rng, BAD_ARGS, OPS};
pub use serve::{echo, serve, PROTOCOL_VERSION};
