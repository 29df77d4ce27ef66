//! Load on `sealcheck peer` over loopback: concurrent keep-alive clients, bounded in count
//! and time, and a table of requests per second, latency percentiles and errors per route.
//! Exit 1 if the peer answered any request with a 5xx or dropped one.
//!
//! ```sh
//! cargo build --release && cargo run --release --example peer_load -- --clients 32 --requests 20000 --seconds 20
//! ```
//!
//! It starts `target/release/sealcheck peer` itself (or `$SEALCHECK`), on 127.0.0.1 only.

use sealcheck::mixin::{self, Randomness, Recipient};
use sealcheck::peer::auth::{claims_for, sign_token};
use sealcheck::peer::Fixtures;
use sealcheck::wire::{from_hex, to_base64_url, to_hex};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Args {
    clients: usize,
    requests: usize,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        clients: 32,
        requests: 20_000,
        seconds: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: Option<usize> = it.next().and_then(|v| v.parse().ok());
        match (flag.as_str(), value) {
            ("--clients", Some(v)) => a.clients = v.clamp(1, 512),
            ("--requests", Some(v)) => a.requests = v.clamp(1, 1_000_000),
            ("--seconds", Some(v)) => a.seconds = (v as u64).clamp(1, 300),
            _ => {
                eprintln!("usage: peer_load [--clients N] [--requests N] [--seconds S]");
                std::process::exit(2);
            }
        }
    }
    a
}

/// One prepared request: path, body, headers.
#[derive(Clone)]
struct Prepared {
    path: &'static str,
    body: Vec<u8>,
    token: Option<String>,
    expect: u16,
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    server_errors: usize,
    transport_errors: usize,
    unexpected: usize,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A pool of signed requests of one kind, so the clients spend their time on HTTP.
fn prepare(kind: &str, f: &Fixtures) -> Vec<Prepared> {
    let bot = &f.users[0];
    let seed: [u8; 32] = from_hex(&bot.sessions[0].session_private_key)
        .unwrap()
        .try_into()
        .unwrap();
    let alice = &f.users[1];
    let sign = |path: &str, body: &[u8]| {
        let claims = claims_for(
            &bot.user_id,
            &bot.sessions[0].session_id,
            "POST",
            path,
            body,
            now(),
        );
        sign_token(&seed, &claims)
    };
    (0..256)
        .map(|i| match kind {
            "sessions/fetch" => {
                let body = json!([alice.user_id, f.users[2].user_id]).to_string().into_bytes();
                Prepared { path: "/sessions/fetch", token: Some(sign("/sessions/fetch", &body)), body, expect: 200 }
            }
            "encrypted_messages" => {
                let recipients: Vec<Recipient> = alice
                    .sessions
                    .iter()
                    .map(|s| Recipient {
                        session_id: *uuid::Uuid::parse_str(&s.session_id).unwrap().as_bytes(),
                        public_key: sealcheck::wire::from_base64_any(&s.public_key).unwrap(),
                    })
                    .collect();
                let random = Randomness::generate(&mut rand_core::OsRng, recipients.len());
                let data = mixin::encrypt(&seed, &recipients, format!("load message {i}").as_bytes(), &random).unwrap();
                let ids: Vec<&str> = alice.sessions.iter().map(|s| s.session_id.as_str()).collect();
                let body = json!([{
                    "conversation_id": "1b6e8a40-7c2d-4f1e-9a3b-5c6d7e8f9a0b",
                    "recipient_id": alice.user_id,
                    "message_id": uuid::Builder::from_random_bytes([i as u8; 16]).into_uuid().to_string(),
                    "category": "ENCRYPTED_TEXT",
                    "checksum": mixin::checksum(&ids),
                    "data_base64": to_base64_url(&data),
                }])
                .to_string()
                .into_bytes();
                Prepared { path: "/encrypted_messages", token: Some(sign("/encrypted_messages", &body)), body, expect: 200 }
            }
            "inspect" => {
                let body = json!({"input": "AQEApm78Ps6VRCy0MCdUtYGEpBb8bxxaGYkn93pjgaP5RlDr9Z76fkRHmaAUmezSrhV59cj7xD+c9V37wRZPdFVgGTkjhv8FTrj25j/DERttJqIdPnzMLYgWmOA1VJ1PfoE8Jso0liRlFVywvX0ocX+LQw30r454kKsar2oXerP4"}).to_string().into_bytes();
                Prepared { path: "/inspect", token: None, body, expect: 200 }
            }
            // Bad input under load: unsigned and malformed, answered 401 without a hitch.
            _ => Prepared { path: "/encrypted_messages", token: None, body: to_hex(&[i as u8; 8]).into_bytes(), expect: 401 },
        })
        .collect()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() {
    let a = args();
    let exe = std::env::var("SEALCHECK").unwrap_or_else(|_| {
        let me = std::env::current_exe().unwrap();
        me.parent()
            .and_then(|p| p.parent())
            .unwrap()
            .join("sealcheck")
            .to_string_lossy()
            .into_owned()
    });
    let mut child = Command::new(&exe)
        .args(["peer", "--seed", "3", "--admin-token", "load"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {exe}: {e}"));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .next()
        .unwrap()
        .unwrap()
        .trim_start_matches("listening on ")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    std::thread::spawn(move || lines.for_each(drop));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(a.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let fixtures: Fixtures = runtime.block_on(async {
        let r = client
            .get(format!("{url}/_peer/fixtures"))
            .header("X-Peer-Token", "load")
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        serde_json::from_value(v["data"].clone()).unwrap()
    });

    println!(
        "sealcheck peer at {url}; {} clients, at most {} requests or {} s per route\n",
        a.clients, a.requests, a.seconds
    );
    println!("| route | requests | seconds | requests/s | p50 ms | p99 ms | max ms | 5xx | dropped | unexpected |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut failed = false;
    for kind in [
        "sessions/fetch",
        "encrypted_messages",
        "inspect",
        "unsigned",
    ] {
        let pool = Arc::new(prepare(kind, &fixtures));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let issued = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(a.seconds);
        let started = Instant::now();
        runtime.block_on(async {
            let mut tasks = Vec::new();
            for _ in 0..a.clients {
                let (client, url, pool, tally, issued) = (
                    client.clone(),
                    url.clone(),
                    pool.clone(),
                    tally.clone(),
                    issued.clone(),
                );
                let limit = a.requests;
                tasks.push(tokio::spawn(async move {
                    let mut local = Tally::default();
                    loop {
                        let n = issued.fetch_add(1, Ordering::Relaxed);
                        if n >= limit || Instant::now() >= deadline {
                            break;
                        }
                        let p = &pool[n % pool.len()];
                        let mut req = client
                            .post(format!("{url}{}", p.path))
                            .header("Content-Type", "application/json")
                            .body(p.body.clone());
                        if let Some(t) = &p.token {
                            req = req.header("Authorization", format!("Bearer {t}"));
                        }
                        let t0 = Instant::now();
                        match req.send().await {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                let ok = r.bytes().await.is_ok();
                                local.latencies_us.push(t0.elapsed().as_micros() as u64);
                                if status >= 500 {
                                    local.server_errors += 1;
                                } else if status != p.expect || !ok {
                                    local.unexpected += 1;
                                }
                            }
                            Err(_) => local.transport_errors += 1,
                        }
                    }
                    let mut t = tally.lock().unwrap();
                    t.latencies_us.extend(local.latencies_us);
                    t.server_errors += local.server_errors;
                    t.transport_errors += local.transport_errors;
                    t.unexpected += local.unexpected;
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
        let elapsed = started.elapsed().as_secs_f64();
        let mut t = std::mem::take(&mut *tally.lock().unwrap());
        t.latencies_us.sort_unstable();
        let n = t.latencies_us.len();
        println!(
            "| {kind} | {n} | {elapsed:.2} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
            n as f64 / elapsed,
            percentile(&t.latencies_us, 0.50),
            percentile(&t.latencies_us, 0.99),
            percentile(&t.latencies_us, 1.0),
            t.server_errors,
            t.transport_errors,
            t.unexpected
        );
        failed |= t.server_errors + t.transport_errors + t.unexpected > 0;
    }
    let _ = child.kill();
    let _ = child.wait();
    if failed {
        eprintln!("peer_load: the peer failed some requests");
        std::process::exit(1);
    }
}
