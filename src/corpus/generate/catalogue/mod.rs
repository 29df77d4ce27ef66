//! The catalogue as data: one record per generated vector, in `src/corpus/catalogue/*.jsonl`,
//! interpreted here (docs/VECTORS.md, "Making vectors"). In the spirit of the C2SP CCTV age
//! kit, each case names what is wrong with it: a base (a scene: key pairs, messages,
//! bodies), edits in the mutation vocabulary (`crate::mutate`), the expected verdict and
//! stage, flags and a comment; the reference supplies every expected output and must agree
//! with every stated stage.
//!
//! Records run in file order: scenes and builders draw from the file's seeded stream as
//! they are evaluated, so moving a record moves the bytes of everything after it.

mod calls;
mod record;
mod value;

pub use record::{parse, Case, EditSpec, Record};

pub(super) use calls::fixture;

use super::gen::{Gen, Generated};
use crate::corpus::{Check, MixinRecipient, Vector, Verdict};
use crate::mutate::{self, parse_bindings, Edit, Format};
use std::collections::{BTreeMap, HashMap};
use value::{EditRefs, Env, Value};

macro_rules! catalogue {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../catalogue/", $name, ".jsonl")),
        )
    };
}

/// Every catalogue file by name: the ones with a `file` header each write a vector file;
/// the others hold scenes to include.
pub const CATALOGUES: &[(&str, &str)] = &[
    catalogue!("themis.keys"),
    catalogue!("themis.key.check"),
    catalogue!("themis.sign"),
    catalogue!("themis.verify"),
    catalogue!("themis.encrypt"),
    catalogue!("themis.decrypt"),
    catalogue!("mixin.encrypt"),
    catalogue!("mixin.decrypt"),
    catalogue!("mixin.checksum"),
    catalogue!("mixin.convert_public_key"),
    catalogue!("mixin.convert_private_key"),
    catalogue!("mixin.decrypt-extra"),
    catalogue!("mixin.encrypt-extra"),
    catalogue!("themis.key.check-extra"),
    catalogue!("themis.verify-extra"),
    catalogue!("themis.sign-extra"),
    catalogue!("themis.encrypt-extra"),
    catalogue!("themis.decrypt-extra"),
];

/// The format an op's values are dissected in.
pub fn format_of(op: &str) -> Format {
    if op.starts_with("themis.") {
        Format::Themis
    } else {
        Format::Mixin
    }
}

/// The argument an op's cases edit and set as `base` when no argument is named.
pub fn subject(op: &str) -> &'static str {
    match op {
        "themis.key.check" => "key",
        "themis.sign" | "mixin.convert_private_key" => "private_key",
        "themis.verify" => "signed",
        "themis.encrypt" => "message",
        "themis.decrypt" => "encrypted",
        "mixin.decrypt" => "body",
        "mixin.encrypt" => "plaintext",
        "mixin.checksum" => "session_ids",
        _ => "public_key",
    }
}

/// The header of a catalogue that writes a file: (path, op, default seed).
pub fn header(name: &str, text: &str) -> Result<Option<(String, String, u64)>, String> {
    Ok(parse(name, text)?.into_iter().find_map(|r| match r {
        Record::File { path, op, seed, .. } => Some((path, op, seed)),
        _ => None,
    }))
}

fn text_of(name: &str) -> Result<&'static str, String> {
    CATALOGUES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("no catalogue {name}"))
}

/// Interprets catalogue `name` with the stream of `g`.
pub fn build(name: &str, g: &mut Gen) -> Result<Generated, String> {
    let records = parse(name, text_of(name)?)?;
    let mut description = String::new();
    let mut notes = BTreeMap::new();
    let mut tests = Vec::new();
    let mut env = Env {
        g,
        op: String::new(),
        scenes: HashMap::new(),
        locals: HashMap::new(),
    };
    let mut queue: Vec<Record> = records.into_iter().rev().collect();
    while let Some(r) = queue.pop() {
        match r {
            Record::File {
                op, description: d, ..
            } => {
                env.op = op;
                description = d;
            }
            Record::Note(name, note) => {
                notes.insert(name, note);
            }
            Record::Include(other) => {
                let included = parse(&other, text_of(&other)?)?;
                queue.extend(included.into_iter().rev());
            }
            Record::Scene(lets) => {
                for (n, e) in parse_bindings(&lets)? {
                    let v = env.eval(&e).map_err(|why| format!("{name}: {n}: {why}"))?;
                    env.scenes.insert(n, v);
                }
            }
            Record::Case(c) => {
                let v = case(&mut env, &c).map_err(|why| format!("{name}: {}: {why}", c.id))?;
                tests.push(v);
            }
        }
    }
    Ok(Generated {
        description,
        notes,
        tests,
    })
}

/// Builds one case's vector.
fn case(env: &mut Env<'_>, c: &Case) -> Result<Vector, String> {
    env.locals.clear();
    if let Some(lets) = &c.lets {
        for (n, e) in parse_bindings(lets)? {
            let v = env.eval(&e)?;
            env.locals.insert(n, v);
        }
    }
    let op = env.op.clone();
    let mut args: Vec<(String, Value)> = match &c.base {
        Some(b) => match env.eval_text(b)? {
            Value::Args(a) => a,
            v => vec![(subject(&op).to_string(), v)],
        },
        None => Vec::new(),
    };
    for (k, e) in &c.args.0 {
        let v = env.eval_text(e).map_err(|why| format!("{k}: {why}"))?;
        // A later argument or an edit may refer to this one: `@private_key`.
        env.locals.entry(k.clone()).or_insert_with(|| v.clone());
        match args.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => args.push((k.clone(), v)),
        }
    }
    let mut json = serde_json::Value::Object(serde_json::Map::new());
    for (k, v) in &args {
        // Text given for a byte argument (a message) is its UTF-8 bytes.
        let j = match v {
            Value::Text(t) if !mutate::is_text_arg(&format!("/{k}")) => {
                serde_json::Value::String(hex::encode(t))
            }
            other => other.to_json()?,
        };
        json[k.as_str()] = j;
    }
    let edits: Vec<(String, &String)> = match &c.edit {
        None => Vec::new(),
        Some(EditSpec::Subject(s)) => vec![(format!("/{}", subject(&op)), s)],
        Some(EditSpec::Args(m)) => {
            m.0.iter()
                .map(|(k, s)| {
                    (
                        if k.starts_with('/') {
                            k.clone()
                        } else {
                            format!("/{k}")
                        },
                        s,
                    )
                })
                .collect()
        }
    };
    for (pointer, steps) in edits {
        let steps = Edit::parse_all(steps)?;
        mutate::apply_at(&op, &mut json, &pointer, &steps, false, &mut EditRefs(env))?;
    }
    let id = id_of(&op, &c.id)?;
    let flags: Vec<&str> = c.flags.iter().map(String::as_str).collect();
    let stage = || c.stage.ok_or("a stage");
    let mut v = match (c.result, &c.check) {
        (Verdict::Valid, None) => env.g.valid(&op, id, c.comment.clone(), &flags, json),
        (Verdict::Valid, Some(chk)) => {
            let check = check(env, chk, &args, &json)?;
            env.g
                .valid_checked(&op, id, c.comment.clone(), &flags, json, check)
        }
        (Verdict::Invalid, _) => env
            .g
            .invalid(&op, id, c.comment.clone(), &flags, json, stage()?),
        (Verdict::Acceptable, _) => {
            env.g
                .acceptable(&op, id, c.comment.clone(), &flags, json, stage()?)
        }
    }?;
    // Gen checked the reference's stage against the set's first.
    v.expected.stages = c.stages.clone();
    v.expected.unconfirmed = c.unconfirmed.clone();
    Ok(v)
}

/// The vector id of a record: the record carries the whole id, so searching the repository
/// for a vector's id finds its record.
fn id_of(op: &str, id: &str) -> Result<String, String> {
    match id.strip_prefix(op).and_then(|rest| rest.strip_prefix('/')) {
        Some(rest) if !rest.is_empty() => Ok(id.to_string()),
        _ => Err(format!("the id must be {op}/<name>")),
    }
}

/// How a randomised output is judged: `verify @key` (or `verify`, with the public key of the
/// case's private key), `decrypt @private @public`, or `mixin` (every session decrypts).
fn check(
    env: &mut Env<'_>,
    text: &str,
    args: &[(String, Value)],
    json: &serde_json::Value,
) -> Result<Check, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let hex_of = |env: &mut Env<'_>, e: &str| -> Result<String, String> {
        Ok(hex::encode(env.eval_text(e)?.bytes()?))
    };
    match words.as_slice() {
        ["verify"] => {
            let private = json["private_key"].as_str().unwrap_or_default();
            let key = hex::decode(private).map_err(|e| e.to_string())?;
            let public = crate::themis::public_key_for(&key).map_err(|e| e.to_string())?;
            Ok(Check::ThemisVerify {
                public_key: hex::encode(public),
            })
        }
        ["verify", key] => Ok(Check::ThemisVerify {
            public_key: hex_of(env, key)?,
        }),
        ["decrypt", private, public] => Ok(Check::ThemisDecrypt {
            private_key: hex_of(env, private)?,
            peer_public_key: hex_of(env, public)?,
        }),
        ["mixin"] => {
            let sessions = args
                .iter()
                .find(|(k, _)| k == "sessions")
                .ok_or("mixin checks need sessions")?;
            let recipients = sessions
                .1
                .list()?
                .iter()
                .map(|s| match s {
                    Value::Session {
                        seed: Some(seed),
                        id,
                        ..
                    } => Ok(MixinRecipient {
                        private_key: hex::encode(seed),
                        session_id: id.clone(),
                    }),
                    _ => Err(
                        "every session of a checked encrypt needs its seed (party())".to_string(),
                    ),
                })
                .collect::<Result<_, _>>()?;
            Ok(Check::MixinDecrypt { recipients })
        }
        _ => Err(format!("no check {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_holds_the_whole_id_of_its_op() {
        assert_eq!(
            id_of("themis.sign", "themis.sign/valid/x").unwrap(),
            "themis.sign/valid/x"
        );
        for bad in [
            "valid/x",
            "themis.signx/valid",
            "themis.sign/",
            "themis.verify/x",
        ] {
            assert!(id_of("themis.sign", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_case_id_in_the_catalogue_is_unique_and_found_verbatim_in_its_file() {
        let mut seen = std::collections::HashSet::new();
        for (name, text) in CATALOGUES {
            let mut op = None;
            for r in parse(name, text).unwrap() {
                match r {
                    Record::File { op: o, .. } => op = Some(o),
                    Record::Case(c) => {
                        let op = op.as_deref().expect("a case after its file header");
                        assert!(id_of(op, &c.id).is_ok(), "{name}: {}", c.id);
                        assert!(text.contains(&format!("\"id\":\"{}\"", c.id)));
                        assert!(seen.insert(c.id.clone()), "{} twice", c.id);
                    }
                    _ => {}
                }
            }
        }
        assert!(seen.len() > 1000);
    }
}
