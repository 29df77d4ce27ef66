//! Annotated dissections of envelopes and keys, for `sealcheck inspect`.
//!
//! Each format's parser produces a [`Dissection`] from its typed view, so the byte ranges
//! printed are the ones the decoder really used.

use std::fmt::Write;
use std::ops::Range;

/// One field of a dissected structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Field name, e.g. `session[0].wrapped_key`.
    pub name: String,
    /// Byte range in the input.
    pub range: Range<usize>,
    /// A short decoded reading of the value (`version 1`, `3 sessions`); may be empty.
    pub note: String,
    /// How the bytes encode their value, so an edit can set a number or recompute a length.
    pub kind: FieldKind,
    /// 0 for the fields that tile the input; 1 for a part inside one (a point's x, a
    /// signature's r), shown indented.
    pub depth: u8,
}

/// How a field's bytes encode its value: what the mutation vocabulary needs to set a number
/// in the field's own width and byte order, or to recompute a field that depends on others.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FieldKind {
    /// Opaque bytes (keys, IVs, ciphertext); numbers set into them are big-endian.
    #[default]
    Bytes,
    /// An unsigned number of `width` bytes (a type, a count, a version).
    Uint {
        /// Bytes.
        width: u8,
        /// Byte order.
        big_endian: bool,
    },
    /// An unsigned number of `width` bytes that counts the bytes of something else.
    Length {
        /// Bytes.
        width: u8,
        /// Byte order.
        big_endian: bool,
        /// What it counts.
        of: Measures,
    },
    /// A checksum the format computes over the input.
    Checksum,
    /// The content of a DER INTEGER: minimal two's complement, big-endian.
    DerInt,
    /// A DER length (short form, or 0x81 and one byte).
    DerLength {
        /// What it counts.
        of: Measures,
    },
}

/// What a length field counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measures {
    /// The whole input.
    Input,
    /// The named field.
    Field(String),
    /// The rest of the named field after the length itself (a DER SEQUENCE's content).
    RestOf(String),
}

impl FieldKind {
    /// A little-endian u32 length of the named field.
    pub fn u32_le_length_of(field: &str) -> FieldKind {
        FieldKind::Length {
            width: 4,
            big_endian: false,
            of: Measures::Field(field.to_string()),
        }
    }

    /// A little-endian unsigned number of `width` bytes.
    pub fn uint_le(width: u8) -> FieldKind {
        FieldKind::Uint {
            width,
            big_endian: false,
        }
    }
}

/// A structure laid out field by field, with the first thing wrong with it, if anything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dissection {
    /// What the input was recognised as.
    pub title: String,
    /// Fields in input order.
    pub fields: Vec<Field>,
    /// The first problem found, in words; `None` when the structure is well formed.
    pub problem: Option<String>,
}

impl Dissection {
    /// Starts a dissection.
    pub fn new(title: impl Into<String>) -> Self {
        Dissection {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Appends a field of opaque bytes.
    pub fn field(&mut self, name: impl Into<String>, range: Range<usize>, note: impl Into<String>) {
        self.field_as(name, range, note, FieldKind::Bytes);
    }

    /// Appends a field of the given kind.
    pub fn field_as(
        &mut self,
        name: impl Into<String>,
        range: Range<usize>,
        note: impl Into<String>,
        kind: FieldKind,
    ) {
        self.fields.push(Field {
            name: name.into(),
            range,
            note: note.into(),
            kind,
            depth: 0,
        });
    }

    /// Appends a part inside the field before it (a point's coordinates, a signature's
    /// integers).
    pub fn part(
        &mut self,
        name: impl Into<String>,
        range: Range<usize>,
        note: impl Into<String>,
        kind: FieldKind,
    ) {
        self.fields.push(Field {
            name: name.into(),
            range,
            note: note.into(),
            kind,
            depth: 1,
        });
    }

    /// The fields that tile the input, without their parts.
    pub fn top_level(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.depth == 0)
    }

    /// Records the first problem; later ones are ignored, since they may be consequences of it.
    pub fn problem(&mut self, text: impl Into<String>) {
        if self.problem.is_none() {
            self.problem = Some(text.into());
        }
    }

    /// Renders the table: field, offset, length, hex (long values shortened), note.
    pub fn render(&self, input: &[u8]) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({} bytes)", self.title, input.len());
        let width = self
            .fields
            .iter()
            .map(|f| f.name.len() + 2 * usize::from(f.depth))
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>6}  hex",
            "field", "offset", "length"
        );
        let mut covered = 0usize;
        for f in &self.fields {
            let bytes = input.get(f.range.clone()).unwrap_or(&[]);
            let name = format!("{}{}", "  ".repeat(usize::from(f.depth)), f.name);
            let _ = write!(
                out,
                "  {:<width$}  {:>6}  {:>6}  {}",
                name,
                f.range.start,
                f.range.len(),
                short_hex(bytes)
            );
            if !f.note.is_empty() {
                let _ = write!(out, "  ({})", f.note);
            }
            out.push('\n');
            covered = covered.max(f.range.end);
        }
        if covered < input.len() {
            let rest = input.get(covered..).unwrap_or(&[]);
            let _ = writeln!(
                out,
                "  {:<width$}  {:>6}  {:>6}  {}",
                "(unparsed)",
                covered,
                rest.len(),
                short_hex(rest)
            );
        }
        match &self.problem {
            Some(p) => {
                let _ = writeln!(out, "problem: {p}");
            }
            None => {
                let _ = writeln!(out, "well formed");
            }
        }
        out
    }
}

/// Hex of a value, shortened in the middle past 32 bytes so tables stay readable.
fn short_hex(bytes: &[u8]) -> String {
    if bytes.len() <= 32 {
        hex::encode(bytes)
    } else {
        let head = bytes.get(..12).unwrap_or(&[]);
        let tail = bytes.get(bytes.len() - 12..).unwrap_or(&[]);
        format!("{}…{}", hex::encode(head), hex::encode(tail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fields_unparsed_tail_and_problem() {
        let mut d = Dissection::new("demo");
        d.field("a", 0..1, "one");
        d.part("a.x", 0..1, "", FieldKind::Bytes);
        d.problem("first");
        d.problem("second");
        let text = d.render(&[7, 8, 9]);
        assert!(text.contains("demo (3 bytes)"));
        assert!(text.contains("07  (one)"));
        assert!(text.contains("    a.x"), "{text}");
        assert_eq!(d.top_level().count(), 1);
        assert!(text.contains("(unparsed)"));
        assert!(text.contains("0809"));
        assert!(text.contains("problem: first"));
        assert!(!text.contains("second"));
    }
}
