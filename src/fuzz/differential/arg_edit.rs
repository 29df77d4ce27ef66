//! Edits of a vector's args: byte edits of hex fields aimed at their dissected fields, text
//! edits of session ids, and array edits, each at a JSON pointer.

use crate::fuzz::{fields_of, Edit, Source};
use crate::{mixin, themis};
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::ops::Range;

/// One change to a mutant's args, at a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An [`Edit`] of a hex field, aimed at the fields its dissection names.
    Bytes(Edit),
    /// An [`Edit`] of a text field (session ids), on its UTF-8 bytes.
    Text(Edit),
    /// Upper-case a text field.
    Upper,
    /// Drop an item of an array.
    DropItem(usize),
    /// Duplicate an item of an array.
    DupItem(usize),
}

/// A change and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgEdit {
    /// JSON pointer into the args, e.g. `/body` or `/sessions/0/session_id`.
    pub pointer: String,
    /// What changes.
    pub change: Change,
}

/// The dissected fields of a hex argument, when it is a body, a message or a key.
fn arg_fields(op: &str, name: &str, bytes: &[u8]) -> Vec<(String, Range<usize>)> {
    match (op.split('.').next(), name) {
        (Some("mixin"), "body") => fields_of(&mixin::dissect(bytes)),
        (Some("themis"), _) => themis::dissect(bytes)
            .map(|d| fields_of(&d))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl ArgEdit {
    /// Applies the edit to `args` (no-op if the pointer no longer leads anywhere).
    pub fn apply(&self, op: &str, args: &mut Value) {
        let Some(target) = args.pointer_mut(&self.pointer) else {
            return;
        };
        let name = self.pointer.rsplit('/').next().unwrap_or("");
        match (&self.change, target) {
            (Change::Bytes(edit), Value::String(s)) => {
                if let Ok(bytes) = hex::decode(&*s) {
                    let fields = arg_fields(op, name, &bytes);
                    *s = hex::encode(edit.apply(&bytes, &fields));
                }
            }
            (Change::Text(edit), Value::String(s)) => {
                *s = String::from_utf8_lossy(&edit.apply(s.as_bytes(), &[])).into_owned();
            }
            (Change::Upper, Value::String(s)) => *s = s.to_uppercase(),
            (Change::DropItem(i), Value::Array(a)) if !a.is_empty() => {
                let i = i % a.len();
                a.remove(i);
            }
            (Change::DupItem(i), Value::Array(a)) if !a.is_empty() => {
                let i = i % a.len();
                let item = a[i].clone();
                a.insert(i, item);
            }
            _ => {}
        }
    }

    /// In words, naming the dissected field for byte edits of `base`.
    pub fn describe(&self, op: &str, args: &Value) -> String {
        let name = self.pointer.rsplit('/').next().unwrap_or("");
        let what = match &self.change {
            Change::Bytes(edit) => {
                let bytes = args
                    .pointer(&self.pointer)
                    .and_then(Value::as_str)
                    .and_then(|s| hex::decode(s).ok())
                    .unwrap_or_default();
                edit.describe(&arg_fields(op, name, &bytes))
            }
            Change::Text(edit) => edit.describe(&[]),
            Change::Upper => "upper-case".into(),
            Change::DropItem(i) => format!("drop item {i}"),
            Change::DupItem(i) => format!("duplicate item {i}"),
        };
        format!("{}: {what}", self.pointer)
    }
}

/// Where in the args a change can go: (pointer, kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Hex,
    Text,
    Array,
}

fn slots(v: &Value, pointer: &str, out: &mut Vec<(String, Slot)>) {
    // Injected randomness is not input under test: adapters feed it to the library as a
    // stream, so its lengths and counts (and the session count they must match) say nothing
    // about the implementation. Session ids and keys inside `sessions` are mutated.
    if pointer.starts_with("/random") {
        return;
    }
    match v {
        Value::Array(a) if pointer == "/sessions" => {
            for (i, x) in a.iter().enumerate() {
                slots(x, &format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                slots(x, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(a) => {
            out.push((pointer.to_string(), Slot::Array));
            for (i, x) in a.iter().enumerate() {
                slots(x, &format!("{pointer}/{i}"), out);
            }
        }
        Value::String(s) => {
            let hexy = s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit());
            let name = pointer.rsplit('/').next().unwrap_or("");
            let is_id = name == "session_id" || pointer.starts_with("/session_ids");
            if hexy && !is_id {
                out.push((pointer.to_string(), Slot::Hex));
            } else {
                out.push((pointer.to_string(), Slot::Text));
            }
        }
        _ => {}
    }
}

pub(super) fn random_edit(rng: &mut ChaCha8Rng, args: &Value) -> Option<ArgEdit> {
    let mut found = Vec::new();
    slots(args, "", &mut found);
    if found.is_empty() {
        return None;
    }
    // Bodies, messages and keys get most of the attention.
    let (pointer, slot) = found[(rng.next_u32() as usize) % found.len()].clone();
    let mut raw = [0u8; 48];
    rng.fill_bytes(&mut raw);
    let mut s = Source::new(&raw);
    let change = match slot {
        Slot::Hex => Change::Bytes(Edit::from_source(&mut s)),
        Slot::Text if s.u8() % 3 == 0 => Change::Upper,
        Slot::Text => Change::Text(Edit::from_source(&mut s)),
        Slot::Array if s.u8() % 2 == 0 => Change::DropItem(s.below(8)),
        Slot::Array => Change::DupItem(s.below(8)),
    };
    Some(ArgEdit { pointer, change })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{fixed_keys, session_string};
    use crate::iut::Reference;
    use crate::protocol::Reply;
    use crate::wire::Stage;
    use serde_json::json;

    #[test]
    fn arg_edits_find_dissected_fields() {
        let keys = fixed_keys();
        let (seed, public, id) = &keys.mixin_recipients[0];
        let body = mixin::encrypt(
            &keys.mixin_sender,
            &[mixin::Recipient {
                session_id: *id,
                public_key: public.to_vec(),
            }],
            b"hi",
            &mixin::Randomness {
                message_key: [1; 16],
                nonce: [2; 12],
                ivs: vec![[3; 16]],
            },
        )
        .unwrap();
        let mut args = json!({"private_key": hex::encode(seed), "session_id": session_string(id), "body": hex::encode(&body)});
        let edit = ArgEdit {
            pointer: "/body".into(),
            change: Change::Bytes(Edit::SetU16 { field: 1, value: 9 }),
        };
        assert_eq!(
            edit.describe("mixin.decrypt", &args),
            "/body: set session_count to u16 9"
        );
        edit.apply("mixin.decrypt", &mut args);
        let reply = Reference::default().answer("mixin.decrypt", &args);
        assert!(matches!(
            reply,
            Reply::Error {
                stage: Some(Stage::SessionCount),
                ..
            }
        ));
        let mut found = Vec::new();
        slots(
            &json!({"random": {"nonce": "00"}, "sessions": [{"session_id": "x"}]}),
            "",
            &mut found,
        );
        assert_eq!(
            found,
            vec![("/sessions/0/session_id".to_string(), Slot::Text)]
        );
    }
}
