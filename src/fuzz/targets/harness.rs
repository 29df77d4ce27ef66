//! Targets of the harness's own parsers: vector files, reply lines, and the reference behind
//! arbitrary requests.

use crate::corpus;
use crate::fuzz::{fixed_keys, session_string, Source};
use crate::iut::{Reference, BAD_ARGS};
use crate::protocol::{Reply, OPS};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

pub(super) fn vector_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(file) = corpus::parse("fuzz.json", &text) {
        assert_eq!(file.schema_version, corpus::SCHEMA_VERSION);
        // What parses serialises and parses back to the same file.
        let again = serde_json::to_string(&file).expect("a parsed file serialises");
        let back = corpus::parse("fuzz.json", &again).expect("a serialised file parses");
        assert_eq!(back, file);
    }
}

pub(super) fn iut_reply(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok((id, reply)) = crate::protocol::parse_reply(&text) {
        // What parses is written back as one line that parses to the same reply (a code that
        // was not a string is kept as its JSON text, and written as that string).
        assert_eq!(reply_round_trip(id, &reply), (id, reply));
    }
}

/// Writes a reply line with the protocol's one writer and parses it back.
fn reply_round_trip(id: u64, reply: &Reply) -> (u64, Reply) {
    let mut line = Vec::new();
    crate::protocol::write_reply(&mut line, id, reply).expect("writing to a Vec");
    let text = String::from_utf8(line).expect("a written reply is UTF-8");
    assert_eq!(text.find('\n'), Some(text.len() - 1), "one line: {text:?}");
    crate::protocol::parse_reply(&text).expect("a written reply parses")
}

/// Argument names of PROTOCOL.md, the vocabulary of [`json_value`].
const ARG_NAMES: &[&str] = &[
    "private_key",
    "session_id",
    "body",
    "sessions",
    "plaintext",
    "random",
    "message_key",
    "nonce",
    "ivs",
    "session_ids",
    "public_key",
    "key",
    "message",
    "signed",
    "peer_public_key",
    "encrypted",
    "iv",
    "secret",
    "oaep_seed",
];

/// A JSON-ish value from fuzz input, leaning towards what the ops accept: objects keyed by
/// argument names, hex strings (often of the fixed keys), UUIDs.
pub fn json_value(s: &mut Source<'_>, depth: u32) -> Value {
    let keys = fixed_keys();
    match s.u8() % 12 {
        0 => Value::Null,
        1 => Value::Bool(s.u8() & 1 == 1),
        2 => json!(s.u32()),
        3 => Value::String(String::from_utf8_lossy(s.var_bytes(40)).into_owned()),
        4 | 5 => Value::String(hex::encode(s.var_bytes(80))),
        6 => {
            let pick = s.below(6);
            let b: Vec<u8> = match pick {
                0 => keys.alice.0.clone(),
                1 => keys.alice.1.clone(),
                2 => keys.bob.0.clone(),
                3 => keys.bob.1.clone(),
                4 => keys.mixin_recipients[0].0.to_vec(),
                _ => keys.mixin_recipients[0].1.to_vec(),
            };
            Value::String(hex::encode(b))
        }
        7 => Value::String(session_string(&keys.mixin_recipients[s.below(3)].2)),
        8 | 9 if depth < 3 => {
            let n = s.below(6);
            let mut m = Map::new();
            for _ in 0..n {
                let k = ARG_NAMES[s.below(ARG_NAMES.len())];
                m.insert(k.into(), json_value(s, depth + 1));
            }
            Value::Object(m)
        }
        10 | 11 if depth < 3 => {
            let n = s.below(4);
            Value::Array((0..n).map(|_| json_value(s, depth + 1)).collect())
        }
        _ => Value::String(String::new()),
    }
}

pub(super) fn protocol_request(data: &[u8]) {
    let mut s = Source::new(data);
    let op = OPS[s.below(OPS.len())];
    let args = if s.u8() % 4 == 0 {
        // Raw JSON text, for what the structured generator cannot say.
        serde_json::from_slice(s.rest()).unwrap_or(Value::Null)
    } else {
        let mut m = Map::new();
        for _ in 0..s.below(7) {
            let k = ARG_NAMES[s.below(ARG_NAMES.len())];
            m.insert(k.into(), json_value(&mut s, 1));
        }
        Value::Object(m)
    };
    let mut reference = Reference::with_rng(ChaCha8Rng::seed_from_u64(7));
    let reply = reference.answer(op, &args);
    // Errors without a stage are argument errors, and only those.
    if let Reply::Error { code, stage, .. } = &reply {
        assert_eq!(
            code.as_deref() == Some(BAD_ARGS),
            stage.is_none(),
            "{op}: {reply:?}"
        );
    }
    if let Reply::Unsupported(why) = &reply {
        panic!("{op} unsupported: {why}");
    }
    assert_eq!(reply_round_trip(1, &reply), (1, reply));
}
