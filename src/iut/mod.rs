//! Implementations under test, behind the one seam between the harness and anything it
//! checks: the [`Implementation`] trait.
//!
//! The reference implements it in process; the subprocess client implements it by speaking
//! docs/PROTOCOL.md to a child process; `serve` puts any implementation behind the protocol.

mod incident;
mod reference;
mod serve;
pub mod subprocess;

pub use incident::{excerpt, InFlight, Incident, IncidentKind, LINE_EXCERPT, STDERR_EXCERPT};
pub use reference::{Reference, Rng, BAD_ARGS};
pub use serve::serve;

use crate::protocol::{Failure, Hello, Reply};
use serde_json::Value;

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

    /// [`Implementation::call_many`] with a name for each request (a vector id, a family
    /// case), which incidents use to say what was in flight.
    fn call_named(
        &mut self,
        requests: &[(&str, &Value)],
        names: &dyn Fn(usize) -> String,
        progress: &mut dyn FnMut(usize),
    ) -> Vec<Result<Reply, Failure>> {
        let _ = names;
        self.call_many(requests, progress)
    }

    /// The incidents since the last call, oldest first: in-process implementations have none.
    fn take_incidents(&mut self) -> Vec<Incident> {
        Vec::new()
    }

    /// The run is over: a child process gets its stdin closed and is watched until it exits,
    /// so that anything it still writes is seen.
    fn close(&mut self) {}
}
