//! `sealcheck peer`: the remote party on 127.0.0.1 (docs/PEER.md).

use super::fail;
use crate::peer::{self, Config, Fixtures};
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// `sealcheck peer`'s options.
#[derive(Args)]
pub struct PeerArgs {
    /// Address to listen on; the default is loopback with a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Seed of the fixtures (users, sessions, keys) and of the sessions added later.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Read the fixtures from this JSON file instead (shape: docs/PEER.md).
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,
    /// Print the fixtures, private keys included, as JSON and exit.
    #[arg(long)]
    dump_fixtures: bool,
    /// Also write the transcript, one JSON line per request, to this file.
    #[arg(long, value_name = "FILE")]
    transcript: Option<PathBuf>,
    /// The token admin routes require in X-Peer-Token (default: a fresh random one).
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,
    /// Largest request body in bytes; larger ones get 413.
    #[arg(long, value_name = "BYTES", default_value_t = peer::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Longest a request may take, in seconds; longer ones get 408.
    #[arg(long, value_name = "SECONDS", default_value_t = peer::DEFAULT_TIMEOUT.as_secs())]
    timeout: u64,
    /// Answer errors with HTTP 202 and the code in the body, as the real Mixin API does.
    #[arg(long)]
    status_202: bool,
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    crate::wire::to_hex(&bytes)
}

/// `sealcheck peer`; exit 2 when it cannot start.
pub fn peer(args: &PeerArgs) -> ExitCode {
    let fixtures = match &args.fixtures {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match Fixtures::from_json(&text, args.seed) {
                Ok(f) => f,
                Err(e) => return fail("peer", format!("{}: {e}", path.display())),
            },
            Err(e) => return fail("peer", format!("cannot read {}: {e}", path.display())),
        },
        None => Fixtures::from_seed(args.seed),
    };
    if args.dump_fixtures {
        match serde_json::to_string_pretty(&fixtures) {
            Ok(text) => {
                let _ = writeln!(std::io::stdout(), "{text}");
            }
            Err(e) => return fail("peer", e),
        }
        return ExitCode::SUCCESS;
    }
    let admin_token = args.admin_token.clone().unwrap_or_else(random_token);
    let config = Config {
        listen: args.listen,
        fixtures,
        seed: args.seed,
        transcript: args.transcript.clone(),
        admin_token: admin_token.clone(),
        body_limit: args.body_limit,
        timeout: Duration::from_secs(args.timeout.max(1)),
        status_202: args.status_202,
    };
    let users: Vec<String> = config
        .fixtures
        .users
        .iter()
        .map(|u| {
            format!(
                "{} ({} session{})",
                if u.name.is_empty() {
                    &u.user_id
                } else {
                    &u.name
                },
                u.sessions.len(),
                if u.sessions.len() == 1 { "" } else { "s" }
            )
        })
        .collect();
    let result = peer::run(&config, |addr| {
        // The first two lines are for programs: the URL, then the admin token. Written
        // without panicking, so a reader that stops after them cannot stop the peer.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = writeln!(out, "admin token: {admin_token}");
        let _ = writeln!(out, "page: http://{addr}/   users: {}", users.join(", "));
        let _ = writeln!(
            out,
            "fixtures with private keys: GET /_peer/fixtures with the X-Peer-Token header"
        );
        let _ = out.flush();
        if !addr.ip().is_loopback() {
            eprintln!("sealcheck peer: warning: listening on {addr}, not loopback; the page and transcript are readable by anyone who can reach it");
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("peer", e),
    }
}
