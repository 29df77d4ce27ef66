//! Edits of a vector's args: the same vocabulary at a JSON pointer. A hex argument is edited
//! as bytes laid out by its format's dissection, a session id as text, an array by its items.

use super::edit::{Edit, Op};
use super::layout::{Format, Layout};
use super::{NoRefs, Resolve};
use serde_json::Value;

/// An edit of one argument: where (a JSON pointer, `/body`, `/sessions/0/session_id`) and
/// what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgEdit {
    /// JSON pointer into the args.
    pub pointer: String,
    /// What happens there.
    pub edit: Edit,
}

/// Whether the string at `pointer` is text (a session id) rather than hex bytes.
pub fn is_text_arg(pointer: &str) -> bool {
    let name = pointer.rsplit('/').next().unwrap_or("");
    name == "session_id" || pointer.starts_with("/session_ids")
}

/// How the bytes of a hex argument are laid out: a Mixin body, or any Themis key or message;
/// other arguments (Mixin keys, plaintexts) have no fields. With `top_level`, only the fields
/// that tile the value (what the fuzzers index).
pub fn arg_layout(op: &str, pointer: &str, bytes: &[u8], top_level: bool) -> Layout {
    let name = pointer.rsplit('/').next().unwrap_or("");
    let format = match (op.split('.').next(), name) {
        (Some("mixin"), "body") => Format::Mixin,
        (Some("themis"), _) => Format::Themis,
        _ => Format::Raw,
    };
    if top_level {
        format
            .dissect(bytes)
            .map(|d| Layout::top_level(&d))
            .unwrap_or_else(Layout::raw)
    } else {
        Layout::of(format, bytes)
    }
}

impl ArgEdit {
    /// Applies the edit to `args` as the fuzzer does: fields picked among the top-level
    /// ones, nothing to resolve, and an edit that cannot apply (or a pointer that leads
    /// nowhere) changes nothing.
    pub fn apply(&self, op: &str, args: &mut Value) {
        let _ = apply_at(
            op,
            args,
            &self.pointer,
            std::slice::from_ref(&self.edit),
            true,
            &mut NoRefs,
        );
    }

    /// In words, naming the field a byte edit picks in `args`.
    pub fn describe(&self, op: &str, args: &Value) -> String {
        let layout = match args.pointer(&self.pointer).and_then(Value::as_str) {
            Some(s) if !is_text_arg(&self.pointer) => hex::decode(s)
                .map(|b| arg_layout(op, &self.pointer, &b, true))
                .unwrap_or_else(|_| Layout::raw()),
            _ => Layout::raw(),
        };
        format!("{}: {}", self.pointer, self.edit.describe(&layout))
    }
}

/// Applies steps to the value at `pointer`: bytes of a hex string (laid out as
/// [`arg_layout`] says), bytes of a text string, or the items of an array.
pub fn apply_at(
    op: &str,
    args: &mut Value,
    pointer: &str,
    edits: &[Edit],
    top_level: bool,
    res: &mut dyn Resolve,
) -> Result<(), String> {
    let target = args
        .pointer_mut(pointer)
        .ok_or_else(|| format!("no argument at {pointer}"))?;
    match target {
        Value::Array(items) => {
            for e in edits {
                match e {
                    Edit::At(_, Op::DropItem(i)) if !items.is_empty() => {
                        items.remove(i % items.len());
                    }
                    Edit::At(_, Op::DupItem(i)) if !items.is_empty() => {
                        let i = i % items.len();
                        let item = items[i].clone();
                        items.insert(i, item);
                    }
                    Edit::At(_, Op::DropItem(_) | Op::DupItem(_)) => {}
                    other => return Err(format!("{other}: not an array edit")),
                }
            }
            Ok(())
        }
        Value::String(s) if is_text_arg(pointer) || hex::decode(&*s).is_err() => {
            let mut bytes = s.as_bytes().to_vec();
            let mut layout = Layout::raw();
            super::apply_all(edits, &mut bytes, &mut layout, res)?;
            *s = String::from_utf8_lossy(&bytes).into_owned();
            Ok(())
        }
        Value::String(s) => {
            let mut bytes = hex::decode(&*s).map_err(|e| e.to_string())?;
            let mut layout = arg_layout(op, pointer, &bytes, top_level);
            super::apply_all(edits, &mut bytes, &mut layout, res)?;
            *s = hex::encode(bytes);
            Ok(())
        }
        other => Err(format!("{pointer} holds {other}, which edits do not reach")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_reach_bytes_text_and_items() {
        let mut args = json!({"session_ids": ["ab", "cd"], "session_id": "beef", "body": "0102"});
        let parse = |t: &str| Edit::parse_all(t).unwrap();
        apply_at(
            "mixin.x",
            &mut args,
            "/session_ids",
            &parse("input dup-item 1"),
            true,
            &mut NoRefs,
        )
        .unwrap();
        assert_eq!(args["session_ids"], json!(["ab", "cd", "cd"]));
        apply_at(
            "mixin.x",
            &mut args,
            "/session_id",
            &parse("input upper"),
            true,
            &mut NoRefs,
        )
        .unwrap();
        assert_eq!(
            args["session_id"], "BEEF",
            "a session id is text even when it looks like hex"
        );
        apply_at(
            "mixin.x",
            &mut args,
            "/body",
            &parse("input[0] ^= 0xff"),
            true,
            &mut NoRefs,
        )
        .unwrap();
        assert_eq!(args["body"], "fe02");
        assert!(apply_at(
            "mixin.x",
            &mut args,
            "/nothing",
            &parse("input zero"),
            true,
            &mut NoRefs
        )
        .is_err());
        let e = ArgEdit {
            pointer: "/body".into(),
            edit: parse("#0 flip 0").remove(0),
        };
        assert_eq!(e.describe("mixin.decrypt", &args), "/body: version flip 0");
    }
}
