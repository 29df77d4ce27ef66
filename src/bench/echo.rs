//! A bare JSON-lines echo, measured by `sealcheck bench` beside `serve` to show what the
//! protocol itself costs.

use crate::protocol::{self, Hello, Reply};
use serde_json::{Map, Value};
use std::io::{self, BufRead, BufReader, Read, Write};

/// Answers every request `{"id":N,"ok":{}}` without parsing more than the id; request 0 gets
/// a handshake that lists one op.
pub fn echo<R: Read, W: Write>(input: R, output: W) -> io::Result<()> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut output = io::BufWriter::with_capacity(1 << 16, output);
    let mut line = Vec::new();
    let empty = Reply::Ok(Value::Object(Map::new()));
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
            let hello = Hello {
                name: "echo".into(),
                version: "0".into(),
                ops: vec!["mixin.checksum".into()],
            };
            protocol::write_hello(&mut output, 0, &hello)?;
        } else {
            protocol::write_reply(&mut output, id, &empty)?;
        }
    }
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn echo_answers_by_id() {
        let mut out = Vec::new();
        echo(
            "{\"id\":0,\"op\":\"hello\"}\n{\"id\": 42,\"op\":\"x\"}\n".as_bytes(),
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            protocol::parse_hello(lines[0]).unwrap().ops,
            ["mixin.checksum"]
        );
        let second: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second, json!({"id": 42, "ok": {}}));
    }
}
