//! A deliberately misbehaving implementation under test, for the harness's robustness tests
//! (tests/robustness.rs). It answers like `sealcheck serve` except where its mode says:
//!
//! ```text
//! misbehave MODE [--op OP] [--state DIR] [--n N] [--ms MS] [--mib MIB]
//!   none               answer honestly
//!   exit-at-start      exit 3 before the handshake
//!   exit-after         exit 4 after every N answers (each process)
//!   panic-on           panic when asked OP
//!   segfault-on        die of SIGSEGV when asked OP
//!   hang-on            never answer OP
//!   garbage-on         answer OP with a line that is not JSON
//!   unknown-id-on      answer OP with an id nobody asked for
//!   repeat-id-on       answer OP twice
//!   wrong-on           answer OP with a well-formed but wrong reply
//!   endless-line-on    answer OP with a line that never ends
//!   spawn-and-die-on   start a child that sleeps forever, write its pid to DIR/grandchild.pid,
//!                      then die of SIGABRT when asked OP; with --n 1 the child keeps the
//!                      pipes, so only a timeout notices
//!   flood-stderr       write MIB MiB to stderr before the handshake
//!   stderr-flood-on    keep writing to stderr, MIB MiB in all, while answering; at exit
//!                      wait for it, then write DIR/stderr-done
//!   out-of-order       answer each batch of buffered requests in reverse
//!   slow               sleep MS before every answer
//!   linger             (the child of spawn-and-die-on) sleep forever
//! ```
//!
//! With `--state DIR`, the misbehaviour of exit-at-start, exit-after and the `-on` modes
//! happens once: the first time across every launch (and every job) sharing DIR.

use sealcheck::iut::Reference;
use sealcheck::protocol::{self, Hello};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Default)]
struct Args {
    mode: String,
    op: String,
    state: Option<PathBuf>,
    n: usize,
    ms: u64,
    mib: usize,
}

fn args() -> Args {
    let mut a = Args {
        n: 3,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    a.mode = it.next().unwrap_or_default();
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--op" => a.op = value,
            "--state" => a.state = Some(PathBuf::from(value)),
            "--n" => a.n = value.parse().unwrap_or(3),
            "--ms" => a.ms = value.parse().unwrap_or(0),
            "--mib" => a.mib = value.parse().unwrap_or(0),
            other => {
                eprintln!("misbehave: unknown flag {other}");
                std::process::exit(2);
            }
        }
    }
    a
}

/// Whether the misbehaviour is due: always without a state dir; with one, only the first
/// time (a marker file created exclusively, so concurrent jobs agree).
fn due(state: &Option<PathBuf>, what: &str) -> bool {
    match state {
        None => true,
        Some(dir) => std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(format!("{what}.done")))
            .is_ok(),
    }
}

fn main() {
    // Print the panic message only: a symbolised backtrace takes most of a second, whatever
    // RUST_BACKTRACE the tests run with.
    std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    let a = args();
    if a.mode == "linger" {
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    if a.mode == "exit-at-start" && due(&a.state, "exit-at-start") {
        eprintln!("misbehave: leaving before the handshake");
        std::process::exit(3);
    }
    if a.mode == "flood-stderr" {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..a.mib {
            let _ = std::io::stderr().write_all(&chunk);
        }
    }
    let flood = (a.mode == "stderr-flood-on").then(|| {
        let mib = a.mib;
        std::thread::spawn(move || {
            let chunk = vec![b'y'; 1 << 20];
            let mut err = std::io::stderr().lock();
            for _ in 0..mib {
                if err.write_all(&chunk).is_err() {
                    return false;
                }
            }
            true
        })
    });
    let exit_after = (a.mode == "exit-after" && due(&a.state, "exit-after")).then_some(a.n);
    serve(&a, exit_after);
    if let Some(flood) = flood {
        if flood.join().unwrap_or(false) {
            if let Some(dir) = &a.state {
                let _ = std::fs::write(dir.join("stderr-done"), b"1");
            }
        }
    }
}

fn serve(a: &Args, exit_after: Option<usize>) {
    let mode = a.mode.as_str();
    let mut reference = Reference::default();
    let stdin = std::io::stdin();
    let mut input = BufReader::new(stdin.lock());
    let mut out = std::io::stdout().lock();
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let mut answered = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let Ok(req) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let id = req["id"].as_u64().unwrap_or(0);
        let op = req["op"].as_str().unwrap_or_default().to_owned();
        let mut text = Vec::new();
        let mut twice = false;
        if op == protocol::HELLO {
            let mut ops: Vec<String> = protocol::OPS.iter().map(|s| s.to_string()).collect();
            ops.sort();
            let hello = Hello {
                name: format!("misbehave-{mode}"),
                version: "0".into(),
                ops,
            };
            let _ = protocol::write_hello(&mut text, id, &hello);
        } else {
            if mode == "slow" {
                std::thread::sleep(Duration::from_millis(a.ms));
            }
            let mut reply = reference.answer(&op, &req["args"]);
            if op == a.op && mode.ends_with("-on") && mode != "stderr-flood-on" {
                let due = || due(&a.state, mode);
                match mode {
                    "panic-on" if due() => panic!("misbehave: panicking on {op}"),
                    "segfault-on" if due() => segfault(),
                    "spawn-and-die-on" if due() => spawn_and_die(a),
                    "hang-on" if due() => loop {
                        std::thread::sleep(Duration::from_secs(60));
                    },
                    "garbage-on" if due() => {
                        let _ = writeln!(out, "this is not json");
                        let _ = out.flush();
                        continue;
                    }
                    "unknown-id-on" if due() => {
                        let _ = writeln!(out, "{}", json!({"id": id + 1_000_000, "ok": {}}));
                        let _ = out.flush();
                        continue;
                    }
                    "endless-line-on" if due() => {
                        let chunk = vec![b'z'; 1 << 16];
                        let _ = out.write_all(b"{\"id\":");
                        while out.write_all(&chunk).is_ok() {}
                        std::process::exit(5);
                    }
                    "repeat-id-on" if due() => twice = true,
                    "wrong-on" => {
                        reply = sealcheck::protocol::Reply::Ok(json!({"checksum": "0".repeat(32)}))
                    }
                    _ => {}
                }
            }
            let _ = protocol::write_reply(&mut text, id, &reply);
        }
        if twice {
            pending.push(text.clone());
        }
        pending.push(text);
        answered += 1;
        let batch_done = input.buffer().is_empty();
        if mode != "out-of-order" || batch_done || op == "hello" {
            if mode == "out-of-order" {
                pending.reverse();
            }
            for p in pending.drain(..) {
                let _ = out.write_all(&p);
            }
            let _ = out.flush();
        }
        // The handshake is not an answer.
        if exit_after.is_some_and(|n| answered > n) {
            eprintln!("misbehave: leaving mid-run");
            std::process::exit(4);
        }
    }
}

fn segfault() -> ! {
    // The Rust runtime's SIGSEGV handler swallows the first signal that is not a real fault
    // and restores the default; the second kills.
    for _ in 0..2 {
        let _ = std::process::Command::new("kill")
            .args(["-SEGV", &std::process::id().to_string()])
            .status();
    }
    std::thread::sleep(Duration::from_secs(5));
    std::process::exit(6)
}

fn spawn_and_die(a: &Args) -> ! {
    let me = std::env::current_exe().unwrap_or_default();
    let mut cmd = std::process::Command::new(me);
    cmd.arg("linger");
    if a.n != 1 {
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
    }
    if let Ok(child) = cmd.spawn() {
        if let Some(dir) = &a.state {
            let _ = std::fs::write(dir.join("grandchild.pid"), child.id().to_string());
        }
    }
    eprintln!("misbehave: started a child, now aborting");
    std::process::abort()
}
