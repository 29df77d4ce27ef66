//! The lines of a catalogue file (docs/VECTORS.md, "Making vectors"): one JSON object per
//! line, each a file header, a flag note, an include, a scene, or a case.

use crate::corpus::{Note, Verdict};
use crate::wire::Stage;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

/// One line of a catalogue file, before it is told apart.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    file: Option<String>,
    op: Option<String>,
    seed: Option<u64>,
    description: Option<String>,
    note: Option<String>,
    bug_type: Option<String>,
    #[serde(default)]
    implementations: BTreeMap<String, String>,
    #[serde(default)]
    references: Vec<String>,
    defect: Option<String>,
    include: Option<String>,
    #[serde(rename = "let")]
    lets: Option<String>,
    id: Option<String>,
    base: Option<String>,
    args: Option<Ordered>,
    edit: Option<EditSpec>,
    result: Option<Verdict>,
    stage: Option<Stage>,
    #[serde(default)]
    stages: Vec<Stage>,
    check: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    comment: Option<String>,
    unconfirmed: Option<String>,
}

/// A JSON object read in the order its keys are written (arguments are evaluated in that
/// order, which is the order they draw from the seeded stream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ordered(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// What a case edits: the op's subject argument (a string), or arguments by name or JSON
/// pointer (an object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditSpec {
    /// Steps on the subject argument.
    Subject(String),
    /// Steps per argument, in order.
    Args(Ordered),
}

impl<'de> Deserialize<'de> for EditSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            S(String),
            M(Ordered),
        }
        Ok(match Either::deserialize(d)? {
            Either::S(s) => EditSpec::Subject(s),
            Either::M(m) => EditSpec::Args(m),
        })
    }
}

/// A generated case: the record the vector id leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The vector id, `<op>/...`, as it appears in the vector file.
    pub id: String,
    /// Local bindings, evaluated first.
    pub lets: Option<String>,
    /// The starting args (a scene of args), or the value of the subject argument.
    pub base: Option<String>,
    /// Arguments set or replaced, in order.
    pub args: Ordered,
    /// Edits, applied after the args are built.
    pub edit: Option<EditSpec>,
    /// The verdict.
    pub result: Verdict,
    /// The stage an invalid or acceptable case is rejected at (the reference's).
    pub stage: Option<Stage>,
    /// A stage set: every stage a careful decoder may name, the reference's first (given in
    /// the record instead of `stage`); empty when `stage` is the only one.
    pub stages: Vec<Stage>,
    /// How a randomised valid output is judged (`verify @key`, `decrypt @priv @pub`,
    /// `mixin`).
    pub check: Option<String>,
    /// Flags, in order.
    pub flags: Vec<String>,
    /// What the case checks, in words.
    pub comment: String,
    /// Why no real implementation can confirm the vector, when none can.
    pub unconfirmed: Option<String>,
}

/// One line, told apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// `{"file", "op", "seed", "description"}`: the vector file this catalogue writes.
    File {
        /// Output path from the repository root.
        path: String,
        /// The op every case calls.
        op: String,
        /// Seed used when the file does not exist yet.
        seed: u64,
        /// The file's description.
        description: String,
    },
    /// `{"note", ...}`: what a flag means.
    Note(String, Note),
    /// `{"include": name}`: another catalogue's scenes, here.
    Include(String),
    /// `{"let": "name = expr; ..."}`: scenes every later case can refer to.
    Scene(String),
    /// `{"id", ...}`: one vector.
    Case(Box<Case>),
}

/// Parses a catalogue file; the error names the line.
pub fn parse(name: &str, text: &str) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |e: String| format!("{name}:{}: {e}", n + 1);
        let l: Line = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
        out.push(classify(l).map_err(at)?);
    }
    Ok(out)
}

fn classify(l: Line) -> Result<Record, String> {
    if let Some(path) = l.file {
        return Ok(Record::File {
            path,
            op: l.op.ok_or("a file line needs op")?,
            seed: l.seed.ok_or("a file line needs seed")?,
            description: l.description.ok_or("a file line needs description")?,
        });
    }
    if let Some(name) = l.note {
        return Ok(Record::Note(
            name,
            Note {
                bug_type: l.bug_type.ok_or("a note needs bug_type")?,
                description: l.description.ok_or("a note needs description")?,
                implementations: l.implementations,
                references: l.references,
                defect: l.defect,
            },
        ));
    }
    if let Some(name) = l.include {
        return Ok(Record::Include(name));
    }
    let Some(id) = l.id else {
        return l
            .lets
            .map(Record::Scene)
            .ok_or_else(|| "a line is a file, note, include, let or case (id)".to_string());
    };
    let result = l.result.ok_or("a case needs result")?;
    let stage = match (l.stage, l.stages.as_slice()) {
        (Some(_), [_, ..]) => return Err(format!("{id}: give stage or stages, not both")),
        (None, [_]) => return Err(format!("{id}: a single stage is given as stage")),
        (None, [first, ..]) => Some(*first),
        (stage, []) => stage,
    };
    if (result == Verdict::Valid) != stage.is_none() {
        return Err(format!(
            "{id}: a stage goes with invalid and acceptable cases only"
        ));
    }
    Ok(Record::Case(Box::new(Case {
        id,
        lets: l.lets,
        base: l.base,
        args: l.args.unwrap_or_default(),
        edit: l.edit,
        result,
        stage,
        stages: l.stages,
        check: l.check,
        flags: l.flags,
        comment: l.comment.ok_or("a case needs a comment")?,
        unconfirmed: l.unconfirmed,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_told_apart_and_args_keep_their_order() {
        let text = r#"{"file":"vectors/x.json","op":"themis.verify","seed":4,"description":"d"}
{"note":"F","bug_type":"EdgeCase","description":"why"}
{"include":"themis.keys"}
{"let":"m = random(3)"}
{"id":"themis.verify/valid/x","args":{"public_key":"@a.public","signed":"sign(@a.private, @m)"},"result":"valid","comment":"c"}
{"id":"themis.verify/length/y","base":"@ec","edit":{"public_key":"crc[0] ^= 0x01"},"result":"invalid","stage":"key","flags":["F"],"comment":"c"}
"#;
        let r = parse("t", text).unwrap();
        assert_eq!(r.len(), 6);
        let Record::Case(c) = &r[4] else { panic!() };
        assert_eq!(c.args.0[0].0, "public_key");
        assert_eq!(c.args.0[1].0, "signed");
        let Record::Case(c) = &r[5] else { panic!() };
        assert!(matches!(&c.edit, Some(EditSpec::Args(m)) if m.0[0].0 == "public_key"));
        let bad = r#"{"id":"valid/x","result":"valid","stage":"key","comment":"c"}"#;
        assert!(parse("t", bad).unwrap_err().contains("t:1"));
        assert!(parse("t", r#"{"id":"x","result":"valid","comment":"c","oops":1}"#).is_err());
    }
}
