//! `sealcheck serve`: an [`Implementation`] spoken over docs/PROTOCOL.md on stdin/stdout.

use crate::iut::{Implementation, Reply};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{self, BufRead, BufReader, Read, Write};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u64 = 1;

#[derive(Deserialize)]
struct Request {
    id: u64,
    op: String,
    #[serde(default)]
    args: Value,
}

/// Answers requests until `input` ends. Output is flushed whenever no further request is
/// already buffered, so a pipelining client gets batched writes and a lock-step one is never
/// left waiting.
pub fn serve<R: Read, W: Write>(
    imp: &mut dyn Implementation,
    input: R,
    output: W,
    mut log: impl Write,
) -> io::Result<()> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut output = io::BufWriter::with_capacity(1 << 16, output);
    let mut line = String::new();
    loop {
        if input.buffer().is_empty() {
            output.flush()?;
        }
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Request>(&line) {
            Ok(req) => answer(imp, &req),
            Err(e) => {
                // Without an id there is nobody to answer; say so where a person will see it.
                writeln!(
                    log,
                    "sealcheck serve: ignoring a line that is not a request: {e}"
                )?;
                continue;
            }
        };
        serde_json::to_writer(&mut output, &response)?;
        output.write_all(b"\n")?;
    }
    output.flush()
}

fn answer(imp: &mut dyn Implementation, req: &Request) -> Value {
    if req.op == "hello" {
        return match imp.hello() {
            Ok(h) => json!({
                "id": req.id,
                "ok": {"protocol": PROTOCOL_VERSION, "name": h.name, "version": h.version, "ops": h.ops}
            }),
            Err(e) => Reply::error(e, None, None).to_json(req.id),
        };
    }
    match imp.call(&req.op, &req.args) {
        Ok(reply) => reply.to_json(req.id),
        Err(failure) => {
            Reply::error(failure.to_string(), Some("iut_failure"), None).to_json(req.id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Reference;

    fn run(input: &str) -> (Vec<Value>, String) {
        let mut out = Vec::new();
        let mut log = Vec::new();
        serve(
            &mut Reference::default(),
            input.as_bytes(),
            &mut out,
            &mut log,
        )
        .unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, String::from_utf8(log).unwrap())
    }

    #[test]
    fn handshake_then_ops_then_garbage() {
        let (out, log) = run(concat!(
            "{\"id\":0,\"op\":\"hello\",\"args\":{\"protocol\":1}}\n",
            "{\"id\":7,\"op\":\"mixin.checksum\",\"args\":{\"session_ids\":[]}}\n",
            "not json\n",
            "\n",
            "{\"id\":8,\"op\":\"nope\",\"args\":{}}\n",
        ));
        assert_eq!(out.len(), 3);
        assert_eq!(out[0]["ok"]["protocol"], 1);
        assert!(out[0]["ok"]["ops"].as_array().unwrap().len() >= 5);
        assert_eq!(out[1], json!({"id": 7, "ok": {"checksum": ""}}));
        assert_eq!(out[2]["id"], 8);
        assert!(out[2]["unsupported"].is_string());
        assert!(log.contains("not a request"));
    }
}
