//! The line codec: one JSON object per line, each message written and read in exactly one
//! place. Writers stream straight into the output (no intermediate JSON value), since
//! `serve` and a pipelining client spend their time here between the crypto.

use super::{Hello, Reply, HELLO, PROTOCOL_VERSION};
use crate::wire::Stage;
use serde::Deserialize;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::io::{self, Write};

/// One request as read from its line; the op is borrowed from the line where it can be.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Request<'a> {
    /// The id the reply must carry.
    pub id: u64,
    /// The op, e.g. `mixin.decrypt`, or `hello`.
    #[serde(borrow)]
    pub op: Cow<'a, str>,
    /// The op's args (`null` when the line has none).
    #[serde(default)]
    pub args: Value,
}

/// Writes one request line, newline included.
pub fn write_request(out: &mut impl Write, id: u64, op: &str, args: &Value) -> io::Result<()> {
    write!(out, "{{\"id\":{id},\"op\":")?;
    serde_json::to_writer(&mut *out, op)?;
    out.write_all(b",\"args\":")?;
    serde_json::to_writer(&mut *out, args)?;
    out.write_all(b"}\n")
}

/// Writes the handshake request, which is always request 0.
pub fn write_hello_request(out: &mut impl Write) -> io::Result<()> {
    write_request(out, 0, HELLO, &json!({ "protocol": PROTOCOL_VERSION }))
}

/// Parses one request line; the error says why it is not a request.
pub fn parse_request(line: &str) -> Result<Request<'_>, String> {
    serde_json::from_str(line).map_err(|e| e.to_string())
}

/// Writes one reply line, newline included.
pub fn write_reply(w: &mut impl Write, id: u64, reply: &Reply) -> io::Result<()> {
    write!(w, "{{\"id\":{id},")?;
    match reply {
        Reply::Ok(v) => {
            w.write_all(b"\"ok\":")?;
            serde_json::to_writer(&mut *w, v)?;
        }
        Reply::Error {
            message,
            code,
            stage,
        } => {
            w.write_all(b"\"error\":{\"message\":")?;
            serde_json::to_writer(&mut *w, message)?;
            if let Some(c) = code {
                w.write_all(b",\"code\":")?;
                serde_json::to_writer(&mut *w, c)?;
            }
            if let Some(s) = stage {
                write!(w, ",\"stage\":\"{}\"", s.as_str())?;
            }
            w.write_all(b"}")?;
        }
        Reply::Unsupported(reason) => {
            w.write_all(b"\"unsupported\":")?;
            serde_json::to_writer(&mut *w, reason)?;
        }
    }
    w.write_all(b"}\n")
}

/// Parses one reply line into its id and reply; the error says how it breaks the protocol.
pub fn parse_reply(text: &str) -> Result<(u64, Reply), String> {
    let short: String = text.chars().take(200).collect();
    let mut v: Value = serde_json::from_str(text).map_err(|_| format!("not JSON: {short}"))?;
    let id = v
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("no unsigned integer id: {short}"))?;
    let shape = |why: &str| format!("reply {id}: {why}: {short}");
    let reply = if let Some(ok) = v.get_mut("ok") {
        if !ok.is_object() {
            return Err(shape("ok is not an object"));
        }
        Reply::Ok(ok.take())
    } else if let Some(e) = v.get("error") {
        let message = e
            .get("message")
            .and_then(Value::as_str)
            .ok_or_else(|| shape("error without a message"))?;
        let stage = match e.get("stage") {
            None | Some(Value::Null) => None,
            Some(s) => Some(
                s.as_str()
                    .and_then(Stage::from_name)
                    .ok_or_else(|| shape("unknown stage"))?,
            ),
        };
        let code = match e.get("code") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(other) => Some(other.to_string()),
        };
        Reply::Error {
            message: message.to_owned(),
            code,
            stage,
        }
    } else if let Some(u) = v.get("unsupported") {
        Reply::Unsupported(
            u.as_str()
                .ok_or_else(|| shape("unsupported is not a string"))?
                .to_owned(),
        )
    } else {
        return Err(shape("neither ok, error nor unsupported"));
    };
    Ok((id, reply))
}

/// Writes the handshake reply line for `hello`.
pub fn write_hello(w: &mut impl Write, id: u64, hello: &Hello) -> io::Result<()> {
    let ok = json!({
        "protocol": PROTOCOL_VERSION,
        "name": hello.name,
        "version": hello.version,
        "ops": hello.ops,
    });
    write_reply(w, id, &Reply::Ok(ok))
}

/// Parses the handshake reply line; the error says what is wrong with it.
pub fn parse_hello(line: &str) -> Result<Hello, String> {
    match parse_reply(line)? {
        (0, Reply::Ok(ok)) => {
            if ok.get("protocol").and_then(Value::as_u64) != Some(PROTOCOL_VERSION) {
                return Err(format!("unsupported protocol in {ok}"));
            }
            // Required, so a report never says "conforming" about an unnamed target that
            // was sent nothing: a hello without them is the adapter's bug, found first.
            let text = |name: &str| {
                ok.get(name)
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim().is_empty())
            };
            let ops: Option<Vec<String>> = ok.get("ops").and_then(Value::as_array).and_then(|a| {
                a.iter()
                    .map(|o| o.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            });
            let mut missing = Vec::new();
            if text("name").is_none() {
                missing.push("name (a non-empty string)");
            }
            if text("version").is_none() {
                missing.push("version (a non-empty string)");
            }
            match &ops {
                None => missing.push("ops (an array of op names)"),
                Some(o) if o.is_empty() => missing.push("ops (it is empty: nothing to check)"),
                Some(_) => {}
            }
            if !missing.is_empty() {
                return Err(format!(
                    "the hello reply lacks {}; docs/PROTOCOL.md requires protocol, name, \
                     version and ops, e.g. {{\"id\": 0, \"ok\": {{\"protocol\": 1, \
                     \"name\": \"my-adapter\", \"version\": \"0.1\", \"ops\": \
                     [\"mixin.checksum\"]}}}}; it answered {ok}",
                    missing.join(", ")
                ));
            }
            Ok(Hello {
                name: text("name").unwrap_or_default().to_owned(),
                version: text("version").unwrap_or_default().to_owned(),
                ops: ops.unwrap_or_default(),
            })
        }
        (id, reply) => Err(format!("unexpected reply {reply:?} with id {id}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches('\n').count(), 1, "one line: {text:?}");
        assert!(text.ends_with('\n'), "{text:?}");
        text
    }

    #[test]
    fn replies_round_trip() {
        for reply in [
            Reply::Ok(json!({"a": [1, "x\n\u{2028}"], "b": {"c": null}})),
            Reply::Ok(json!({})),
            Reply::error("m\"\\\n", Some("c"), Some(Stage::KeyKind)),
            Reply::error("m", None, Some(Stage::SessionNotFound)),
            Reply::error("m", Some("15"), None),
            Reply::error("", None, None),
            Reply::Unsupported("no \"way\"".into()),
        ] {
            for id in [0, 9, u64::MAX] {
                let text = line(|w| write_reply(w, id, &reply));
                assert_eq!(parse_reply(&text), Ok((id, reply.clone())), "{text}");
            }
        }
    }

    #[test]
    fn requests_round_trip() {
        for (id, op, args) in [
            (1, "mixin.decrypt", json!({"body": "00", "session_id": "x"})),
            (u64::MAX, "themis.sign", json!({"message": "\"\n"})),
            (7, "no \"such\" op", Value::Null),
        ] {
            let text = line(|w| write_request(w, id, op, &args));
            let req = parse_request(&text).unwrap();
            assert_eq!((req.id, req.op.as_ref(), &req.args), (id, op, &args));
        }
        let req = parse_request("{\"id\":3,\"op\":\"x\"}").unwrap();
        assert_eq!(req.args, Value::Null, "args may be left out");
        assert!(parse_request("not json").is_err());
        assert!(parse_request("{\"op\":\"x\"}").is_err(), "no id");
    }

    #[test]
    fn the_handshake_round_trips() {
        let text = line(write_hello_request);
        let req = parse_request(&text).unwrap();
        assert_eq!(req.id, 0);
        assert_eq!(req.op, HELLO);
        assert_eq!(req.args, json!({ "protocol": PROTOCOL_VERSION }));
        let hello = Hello {
            name: "n".into(),
            version: "1.2".into(),
            ops: vec!["mixin.checksum".into(), "themis.sign".into()],
        };
        let text = line(|w| write_hello(w, 0, &hello));
        assert_eq!(parse_hello(&text), Ok(hello.clone()));
        let text = line(|w| write_hello(w, 5, &hello));
        assert!(parse_hello(&text).unwrap_err().contains("with id 5"));
        let other = "{\"id\":0,\"ok\":{\"protocol\":2,\"ops\":[]}}";
        assert!(parse_hello(other)
            .unwrap_err()
            .contains("unsupported protocol"));
        // name, version and ops are required; the error names what is missing.
        let bare = parse_hello("{\"id\":0,\"ok\":{\"protocol\":1}}").unwrap_err();
        assert!(
            bare.contains("lacks name (a non-empty string), version (a non-empty string), ops"),
            "{bare}"
        );
        let no_ops = r#"{"id":0,"ok":{"protocol":1,"name":"a","version":"1","ops":[]}}"#;
        assert!(parse_hello(no_ops)
            .unwrap_err()
            .contains("lacks ops (it is empty"));
        let bad_ops = r#"{"id":0,"ok":{"protocol":1,"name":"a","version":"1","ops":[1]}}"#;
        assert!(parse_hello(bad_ops)
            .unwrap_err()
            .contains("lacks ops (an array"));
        let blank = r#"{"id":0,"ok":{"protocol":1,"name":" ","version":"1","ops":["x"]}}"#;
        assert!(parse_hello(blank).unwrap_err().contains("lacks name"));
    }

    #[test]
    fn reply_violations_are_named() {
        assert_eq!(parse_reply(r#"{"id":3,"ok":{"a":1}}"#).unwrap().0, 3);
        let (_, r) =
            parse_reply(r#"{"id":4,"error":{"message":"m","code":15,"stage":"key"}}"#).unwrap();
        assert_eq!(r, Reply::error("m", Some("15"), Some(Stage::Key)));
        assert!(parse_reply("garbage").unwrap_err().starts_with("not JSON"));
        assert!(parse_reply(r#"{"id":-1,"ok":{}}"#)
            .unwrap_err()
            .contains("id"));
        assert!(parse_reply(r#"{"id":1,"error":{"stage":"key"}}"#)
            .unwrap_err()
            .contains("message"));
        assert!(
            parse_reply(r#"{"id":1,"error":{"message":"m","stage":"nope"}}"#)
                .unwrap_err()
                .contains("stage")
        );
        assert!(parse_reply(r#"{"id":1,"ok":3}"#)
            .unwrap_err()
            .contains("object"));
        assert!(parse_reply(r#"{"id":1}"#).unwrap_err().contains("neither"));
    }
}
