//! Random edits of a vector's args for the differential fuzzer, in the mutation vocabulary
//! (`crate::mutate::ArgEdit`): byte edits of hex fields aimed at their dissected fields, text
//! edits of session ids, and array edits, each at a JSON pointer.

use crate::fuzz::{decode_edit, Source};
use crate::mutate::{is_text_arg, ArgEdit, Edit, Op, Place, Target};
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// What kind of change an edit is, for grouping findings.
pub(super) fn change_kind(e: &ArgEdit) -> &'static str {
    match &e.edit {
        Edit::At(_, Op::Upper) => "upper",
        Edit::At(_, Op::DropItem(_)) => "drop",
        Edit::At(_, Op::DupItem(_)) => "dup",
        _ if is_text_arg(&e.pointer) => "text",
        _ => "bytes",
    }
}

fn whole(op: Op) -> Edit {
    Edit::At(
        Place {
            target: Target::Input,
            sel: None,
        },
        op,
    )
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
            if hexy && !is_text_arg(pointer) {
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
    let edit = match slot {
        Slot::Hex => decode_edit(&mut s),
        Slot::Text if s.u8() % 3 == 0 => whole(Op::Upper),
        Slot::Text => {
            // Text has no fields: the edit applies to the whole string.
            let Edit::At(_, op) = decode_edit(&mut s) else {
                unreachable!("decode_edit makes field edits")
            };
            whole(op)
        }
        Slot::Array if s.u8() % 2 == 0 => whole(Op::DropItem(s.below(8))),
        Slot::Array => whole(Op::DupItem(s.below(8))),
    };
    Some(ArgEdit { pointer, edit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{fixed_keys, session_string};
    use crate::iut::Reference;
    use crate::mixin;
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
            edit: Edit::At(
                Place {
                    target: Target::Nth(1),
                    sel: None,
                },
                Op::Write(vec![9, 0]),
            ),
        };
        assert_eq!(
            edit.describe("mixin.decrypt", &args),
            "/body: session_count write [0900]"
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
