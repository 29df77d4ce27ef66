//! `sealcheck serve`: an [`Implementation`] spoken over docs/PROTOCOL.md on stdin/stdout.

use crate::iut::{Implementation, Reply};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{self, BufRead, BufReader, Read, Write};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u64 = 1;

#[derive(Deserialize)]
struct Request<'a> {
    id: u64,
    #[serde(borrow)]
    op: std::borrow::Cow<'a, str>,
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
        match serde_json::from_str::<Request>(&line) {
            Ok(req) if req.op == "hello" => {
                serde_json::to_writer(&mut output, &hello(imp, req.id))?;
            }
            Ok(req) => match imp.call(&req.op, &req.args) {
                Ok(reply) => reply.write_json(req.id, &mut output)?,
                Err(failure) => Reply::error(failure.to_string(), Some("iut_failure"), None)
                    .write_json(req.id, &mut output)?,
            },
            Err(e) => {
                // Without an id there is nobody to answer; say so where a person will see it.
                writeln!(
                    log,
                    "sealcheck serve: ignoring a line that is not a request: {e}"
                )?;
                continue;
            }
        }
        output.write_all(b"\n")?;
    }
    output.flush()
}

fn hello(imp: &mut dyn Implementation, id: u64) -> Value {
    match imp.hello() {
        Ok(h) => json!({
            "id": id,
            "ok": {"protocol": PROTOCOL_VERSION, "name": h.name, "version": h.version, "ops": h.ops}
        }),
        Err(e) => Reply::error(e, None, None).to_json(id),
    }
}

/// A bare JSON-lines echo: answers every request `{"id":N,"ok":{}}` without parsing more than
/// the id. `sealcheck bench` measures it beside `serve` to show what the protocol itself costs.
pub fn echo<R: Read, W: Write>(input: R, output: W) -> io::Result<()> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut output = io::BufWriter::with_capacity(1 << 16, output);
    let mut line = Vec::new();
    loop {
        if input.buffer().is_empty() {
            output.flush()?;
        }
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let id = line
            .windows(5)
            .position(|w| w == b"\"id\":")
            .and_then(|i| line.get(i + 5..))
            .map(|rest| {
                rest.iter()
                    .skip_while(|b| **b == b' ')
                    .take_while(|b| b.is_ascii_digit())
                    .fold(0u64, |n, d| {
                        n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
                    })
            })
            .unwrap_or(0);
        if id == 0 {
            writeln!(output, "{{\"id\":0,\"ok\":{{\"protocol\":1,\"name\":\"echo\",\"version\":\"0\",\"ops\":[\"mixin.checksum\"]}}}}")?;
        } else {
            writeln!(output, "{{\"id\":{id},\"ok\":{{}}}}")?;
        }
    }
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iut::Reference;

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

    #[test]
    fn echo_answers_by_id() {
        let mut out = Vec::new();
        echo(
            "{\"id\":0,\"op\":\"hello\"}\n{\"id\": 42,\"op\":\"x\"}\n".as_bytes(),
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["ok"]["protocol"], 1);
        assert_eq!(lines[1], json!({"id": 42, "ok": {}}));
    }

    #[test]
    fn write_json_matches_to_json() {
        use crate::wire::Stage;
        for reply in [
            Reply::Ok(json!({"a": [1, "x\n"]})),
            Reply::error("m\"", Some("c"), Some(Stage::KeyKind)),
            Reply::error("m", None, None),
            Reply::Unsupported("no".into()),
        ] {
            let mut buf = Vec::new();
            reply.write_json(9, &mut buf).unwrap();
            let parsed: Value = serde_json::from_slice(&buf).unwrap();
            assert_eq!(parsed, reply.to_json(9));
        }
    }
}
