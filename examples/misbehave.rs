//! A deliberately misbehaving implementation under test, for the harness's robustness tests
//! (tests/robustness.rs). It answers like `sealcheck serve` except where its mode says:
//!
//! ```text
//! misbehave MODE [OP] [STATE_DIR]
//!   exit-at-start STATE      exit 3 before the handshake on the first launch only
//!   exit-after-3 STATE       exit 4 after answering 3 requests, on the first launch only
//!   panic-on OP              panic when asked OP
//!   segfault-on OP           die of SIGSEGV when asked OP
//!   hang-on OP               never answer OP
//!   garbage-on OP            answer OP with a line that is not JSON
//!   unknown-id-on OP         answer OP with an id nobody asked for
//!   repeat-id-on OP          answer OP twice
//!   flood-stderr             write 4 MiB to stderr per request
//!   out-of-order             answer each batch of buffered requests in reverse
//! ```

use sealcheck::iut::Reference;
use sealcheck::protocol::{self, Hello};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

fn first_launch(state: &str) -> bool {
    let marker = Path::new(state).join("launched");
    let first = !marker.exists();
    let _ = std::fs::write(marker, b"1");
    first
}

fn main() {
    // Print the panic message only: a symbolised backtrace takes most of a second, whatever
    // RUST_BACKTRACE the tests run with.
    std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_default();
    let arg = args.get(2).cloned().unwrap_or_default();
    if mode == "exit-at-start" && first_launch(&arg) {
        eprintln!("misbehave: leaving before the handshake");
        std::process::exit(3);
    }
    let exit_after = (mode == "exit-after-3" && first_launch(&arg)).then_some(3usize);
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
            break;
        }
        let Ok(req) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let id = req["id"].as_u64().unwrap_or(0);
        let op = req["op"].as_str().unwrap_or_default().to_owned();
        let mut text = Vec::new();
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
            if mode == "flood-stderr" {
                let chunk = vec![b'x'; 1 << 20];
                for _ in 0..4 {
                    let _ = std::io::stderr().write_all(&chunk);
                }
            }
            if op == arg {
                match mode.as_str() {
                    "panic-on" => panic!("misbehave: panicking on {op}"),
                    "segfault-on" => {
                        // The Rust runtime's SIGSEGV handler swallows the first signal that
                        // is not a real fault and restores the default; the second kills.
                        for _ in 0..2 {
                            let _ = std::process::Command::new("kill")
                                .args(["-SEGV", &std::process::id().to_string()])
                                .status();
                        }
                        std::thread::sleep(std::time::Duration::from_secs(5));
                    }
                    "hang-on" => loop {
                        std::thread::sleep(std::time::Duration::from_secs(60));
                    },
                    "garbage-on" => {
                        let _ = writeln!(out, "this is not json");
                        let _ = out.flush();
                        continue;
                    }
                    "unknown-id-on" => {
                        let _ = writeln!(out, "{}", json!({"id": id + 1_000_000, "ok": {}}));
                        let _ = out.flush();
                        continue;
                    }
                    _ => {}
                }
            }
            let reply = reference.answer(&op, &req["args"]);
            let _ = protocol::write_reply(&mut text, id, &reply);
        }
        if mode == "repeat-id-on" && op == arg {
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
        if exit_after.is_some_and(|n| answered > n) {
            eprintln!("misbehave: leaving mid-run");
            std::process::exit(4);
        }
    }
}
