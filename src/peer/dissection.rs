//! `sealcheck inspect`'s dissection as JSON for the page and the Themis answers: every
//! field with its bytes, the first problem, and which row that problem is about.

use crate::wire::{to_base64_std, to_hex, Dissection};
use serde::Serialize;

/// One field, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldJson {
    /// `session[0].wrapped_key`.
    pub name: String,
    /// Byte offset.
    pub offset: usize,
    /// Length in bytes.
    pub length: usize,
    /// The field's bytes in hex, whole.
    pub hex: String,
    /// The decoded reading.
    pub note: String,
}

/// A dissection with its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DissectionJson {
    /// What the input was recognised as.
    pub title: String,
    /// Input length.
    pub length: usize,
    /// Fields in input order; an `(unparsed)` row closes the list when bytes remain.
    pub fields: Vec<FieldJson>,
    /// The first problem in words, `None` when well formed.
    pub problem: Option<String>,
    /// The row the problem is about: the index of a field in `fields`.
    pub marked: Option<usize>,
    /// The same dissection as `sealcheck inspect` prints it.
    pub text: String,
}

/// Words in a problem sentence, and the field names they point at, most specific first.
const POINTERS: &[(&str, &[&str])] = &[
    ("iv_length", &["cell.iv_length"]),
    ("auth_tag_length", &["cell.auth_tag_length"]),
    ("message_length", &["cell.message_length", "message_length"]),
    ("signature_length", &["signature_length"]),
    ("encrypted_key_length", &["encrypted_key_length"]),
    ("total_length", &["total_length"]),
    ("Secure Cell algorithm", &["cell.alg"]),
    ("authentication tag", &["cell.auth_tag"]),
    ("message type", &["message_type"]),
    ("signature", &["signature"]),
    ("follow the signature", &["padding"]),
    ("unknown version", &["version"]),
    ("session count", &["session_count"]),
    ("sender key", &["sender_key"]),
    ("GCM nonce", &["nonce"]),
    ("GCM tag", &["tag"]),
    ("checksum", &["crc"]),
    ("declares", &["size"]),
    ("container tag", &["tag"]),
    ("private scalar", &["scalar d"]),
    (
        "not a valid point",
        &["point (compressed)", "point (uncompressed)", "point"],
    ),
    ("exponent", &["e"]),
    ("payload", &["payload"]),
];

/// The row a problem is about: a field the sentence names, else the unparsed tail, else
/// the last field read (where the decoder stopped).
pub fn marked_field(problem: &str, fields: &[FieldJson]) -> Option<usize> {
    let find = |name: &str| fields.iter().position(|f| f.name == name);
    for (word, names) in POINTERS {
        if problem.contains(word) {
            if let Some(i) = names.iter().find_map(|n| find(n)) {
                return Some(i);
            }
        }
    }
    find("(unparsed)").or_else(|| fields.len().checked_sub(1))
}

/// The JSON form of a dissection of `input`.
pub fn dissection_json(d: &Dissection, input: &[u8]) -> DissectionJson {
    let mut fields: Vec<FieldJson> = d
        .fields
        .iter()
        .map(|f| FieldJson {
            name: f.name.clone(),
            offset: f.range.start,
            length: f.range.len(),
            hex: to_hex(input.get(f.range.clone()).unwrap_or_default()),
            note: f.note.clone(),
        })
        .collect();
    let covered = d.fields.iter().map(|f| f.range.end).max().unwrap_or(0);
    if let Some(rest) = input.get(covered..).filter(|r| !r.is_empty()) {
        fields.push(FieldJson {
            name: "(unparsed)".into(),
            offset: covered,
            length: rest.len(),
            hex: to_hex(rest),
            note: String::new(),
        });
    }
    let marked = d.problem.as_deref().and_then(|p| marked_field(p, &fields));
    DissectionJson {
        title: d.title.clone(),
        length: input.len(),
        fields,
        problem: d.problem.clone(),
        marked,
        text: d.render(input),
    }
}

/// Serialises bytes as `{"hex", "base64"}`.
pub fn as_hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("hex", &to_hex(bytes))?;
    m.serialize_entry("base64", &to_base64_std(bytes))?;
    m.end()
}

/// Serialises bytes as `{"hex", "base64", "utf8"}`, the text only when they are UTF-8.
pub fn as_text<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(3))?;
    m.serialize_entry("hex", &to_hex(bytes))?;
    m.serialize_entry("base64", &to_base64_std(bytes))?;
    m.serialize_entry("utf8", &std::str::from_utf8(bytes).ok())?;
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::from_hex_or_base64;

    fn of(input: &str) -> DissectionJson {
        let bytes = from_hex_or_base64(input).unwrap();
        dissection_json(&crate::inspect::dissect(&bytes, None), &bytes)
    }

    fn marked(d: &DissectionJson) -> Option<&str> {
        d.marked.map(|i| d.fields[i].name.as_str())
    }

    /// The README's examples: the desktop client's body, a cut body, the spec's key.
    #[test]
    fn readme_examples() {
        let d = of("AQEApm78Ps6VRCy0MCdUtYGEpBb8bxxaGYkn93pjgaP5RlDr9Z76fkRHmaAUmezSrhV59cj7xD+c9V37wRZPdFVgGTkjhv8FTrj25j/DERttJqIdPnzMLYgWmOA1VJ1PfoE8Jso0liRlFVywvX0ocX+LQw30r454kKsar2oXerP4");
        assert_eq!(d.title, "Mixin encrypted message body");
        assert_eq!(d.length, 129);
        assert_eq!((d.problem.as_deref(), d.marked), (None, None));
        let id = d.fields.iter().find(|f| f.name == "session[0].id").unwrap();
        assert_eq!(
            (id.offset, id.length, id.note.as_str()),
            (35, 16, "ebf59efa-7e44-4799-a014-99ecd2ae1579")
        );
        // Whole hex, not shortened as the text table is.
        let ct = d
            .fields
            .iter()
            .find(|f| f.name == "session[0].wrapped_key")
            .unwrap();
        assert_eq!(ct.hex.len(), 64);

        let d = of("0101ff00");
        assert_eq!(d.fields.last().unwrap().name, "(unparsed)");
        assert_eq!(marked(&d), Some("(unparsed)"));
        assert!(d.text.contains("problem: body ends inside the sender key"));

        let d = of("554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4");
        assert_eq!(d.problem, None);
    }

    #[test]
    fn problems_point_at_their_field() {
        // Version 7: the version row, though the dissection goes on past it.
        let mut body = from_hex_or_base64("AQEApm78Ps6VRCy0MCdUtYGEpBb8bxxaGYkn93pjgaP5RlDr9Z76fkRHmaAUmezSrhV59cj7xD+c9V37wRZPdFVgGTkjhv8FTrj25j/DERttJqIdPnzMLYgWmOA1VJ1PfoE8Jso0liRlFVywvX0ocX+LQw30r454kKsar2oXerP4").unwrap();
        body[0] = 7;
        let d = dissection_json(&crate::mixin::dissect(&body), &body);
        assert_eq!(marked(&d), Some("version"));
        // A key whose checksum byte was flipped: the crc row.
        let mut key = from_hex_or_base64("554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4").unwrap();
        key[9] ^= 1;
        let d = dissection_json(&crate::inspect::dissect(&key, None), &key);
        assert_eq!(marked(&d), Some("crc"));
        // The spec's worked example with iv_length 16.
        let mut msg = from_hex_or_base64(concat!(
            "2027042636000000",
            "000101400c0000001000000002000000",
            "8d994beac956fd2ff2c972eb",
            "70bca937e9195a1d98768054ffe29761",
            "228d"
        ))
        .unwrap();
        assert_eq!(of(&to_hex(&msg)).problem, None);
        msg[12] = 16;
        let d = dissection_json(&crate::inspect::dissect(&msg, None), &msg);
        assert_eq!(marked(&d), Some("cell.iv_length"), "{:?}", d.problem);
    }
}
