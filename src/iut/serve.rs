//! `sealcheck serve`: an [`Implementation`] spoken over docs/PROTOCOL.md on stdin/stdout.

use super::Implementation;
use crate::protocol::{self, Reply, HELLO};
use std::io::{self, BufRead, BufReader, Read, Write};

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
        match protocol::parse_request(&line) {
            Ok(req) if req.op == HELLO => match imp.hello() {
                Ok(h) => protocol::write_hello(&mut output, req.id, &h)?,
                Err(e) => protocol::write_reply(&mut output, req.id, &Reply::error(e, None, None))?,
            },
            Ok(req) => {
                let reply = imp.call(&req.op, &req.args).unwrap_or_else(|failure| {
                    Reply::error(failure.to_string(), Some("iut_failure"), None)
                });
                protocol::write_reply(&mut output, req.id, &reply)?;
            }
            Err(e) => {
                // Without an id there is nobody to answer; say so where a person will see it.
                writeln!(
                    log,
                    "sealcheck serve: ignoring a line that is not a request: {e}"
                )?;
            }
        }
    }
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iut::Reference;
    use serde_json::{json, Value};

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
