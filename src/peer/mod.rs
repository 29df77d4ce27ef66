//! `sealcheck peer`: a remote party to test against (docs/PEER.md). The Mixin API side
//! (`/sessions/fetch`, `/encrypted_messages`, JWT authentication, admin routes that change
//! the world mid-test), the Themis remote party (the peer's keys, a message in, the verdict,
//! the dissection and a reply out), and a web page over both, on axum and tokio.
//!
//! The rules live in plain functions ([`rules`], [`auth`], [`themis_party`], [`world`]) that
//! the tests call without HTTP; [`http`] is a thin layer of handlers and tower layers over them.

pub mod auth;
pub mod dissection;
mod error;
pub mod fixtures;
pub mod http;
mod page;
pub mod rules;
mod server;
pub mod themis_party;
pub mod transcript;
pub mod world;

pub use error::PeerError;
pub use fixtures::Fixtures;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default largest request body: 1 MiB, room for 100 messages of several kilobytes each.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;
/// Default longest request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How to run the peer.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The world to serve (checked).
    pub fixtures: Fixtures,
    /// The seed new sessions are drawn from.
    pub seed: u64,
    /// Where to append the JSON-lines transcript, besides memory.
    pub transcript: Option<PathBuf>,
    /// The token admin routes require in `X-Peer-Token`.
    pub admin_token: String,
    /// Largest request body.
    pub body_limit: usize,
    /// Longest request.
    pub timeout: Duration,
    /// Answer errors with HTTP 202, as the real Mixin API does.
    pub status_202: bool,
}

/// Why the peer could not start.
#[derive(Debug)]
pub enum StartError {
    /// The fixtures have no Themis keys (they are filled in when fixtures are read or drawn).
    NoThemisKeys,
    /// The transcript file cannot be created.
    Transcript(std::io::Error),
    /// The address cannot be bound, or the runtime cannot start.
    Serve(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::NoThemisKeys => f.write_str("the fixtures have no Themis keys"),
            StartError::Transcript(e) => write!(f, "cannot write the transcript: {e}"),
            StartError::Serve(e) => write!(f, "cannot serve: {e}"),
        }
    }
}

/// The router for a configuration, for serving or for tests that drive it in process.
pub fn app(config: &Config) -> Result<axum::Router, StartError> {
    let themis = config
        .fixtures
        .themis
        .clone()
        .ok_or(StartError::NoThemisKeys)?;
    let transcript = transcript::Transcript::new(config.transcript.as_deref())
        .map_err(StartError::Transcript)?;
    let state = http::AppState::new(
        world::World::new(&config.fixtures, config.seed),
        themis,
        transcript,
        config.admin_token.clone(),
        http::Limits {
            body_limit: config.body_limit,
            timeout: config.timeout,
            status_202: config.status_202,
        },
    );
    Ok(http::router(state))
}

/// Runs the peer until SIGINT or SIGTERM; `ready` is told the address once it listens.
pub fn run(config: &Config, ready: impl FnOnce(SocketAddr)) -> Result<(), StartError> {
    let app = app(config)?;
    server::serve(config.listen, app, ready).map_err(StartError::Serve)
}
