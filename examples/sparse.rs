//! An implementation under test that does less than it should, for the tests of what
//! sealcheck says about a run that checks little (tests/newcomer.rs). It answers like
//! `sealcheck serve` except where its mode says:
//!
//! ```text
//! sparse MODE [ARG]
//!   only OP,OP,...          list only these ops in the hello
//!   unsupported OP          list every op, but answer OP with `unsupported`
//!   hello-without F,F,...   leave these fields (name, version, ops) out of the hello
//!   hello-with-ops OP,...   list exactly these names as ops, known or not
//!   exit-in-handshake       exit 3 before answering the hello, saying nothing on stderr
//!   wrong OP                answer OP with a wrong `ok` (an empty object)
//!   crash-on OP             exit 101 on the first request of OP, as a panicking adapter does
//! ```

use sealcheck::iut::Reference;
use sealcheck::protocol::{self, Reply};
use serde_json::{json, Value};
use std::io::{BufRead, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_default();
    let arg = args.get(2).cloned().unwrap_or_default();
    let list: Vec<String> = arg
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut reference = Reference::default();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(req) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let id = req["id"].as_u64().unwrap_or(0);
        let op = req["op"].as_str().unwrap_or_default().to_owned();
        if op == protocol::HELLO {
            if mode == "exit-in-handshake" {
                std::process::exit(3);
            }
            let ops: Vec<String> = match mode.as_str() {
                "only" | "hello-with-ops" => list.clone(),
                _ => protocol::OPS.iter().map(|s| s.to_string()).collect(),
            };
            let mut ok = json!({"protocol": 1, "name": format!("sparse-{mode}"),
                "version": "0.1", "ops": ops});
            if mode == "hello-without" {
                for field in &list {
                    ok.as_object_mut().map(|o| o.remove(field));
                }
            }
            let _ = writeln!(out, "{}", json!({"id": id, "ok": ok}));
        } else {
            if mode == "crash-on" && op == arg {
                eprintln!("sparse: crashing on {op}, as asked");
                std::process::exit(101);
            }
            let reply = if mode == "unsupported" && op == arg {
                Reply::Unsupported(format!("sparse does not do {op}"))
            } else if mode == "wrong" && op == arg {
                Reply::Ok(json!({}))
            } else {
                reference.answer(&op, &req["args"])
            };
            let _ = protocol::write_reply(&mut out, id, &reply);
        }
        let _ = out.flush();
    }
}
