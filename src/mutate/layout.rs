//! Where a value's fields lie: the parts of its dissection, kept up to date while edits
//! change lengths.

use crate::wire::{Dissection, FieldKind};
use std::ops::Range;

/// The format a value is dissected as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Themis key container or Secure Message.
    Themis,
    /// A Mixin encrypted message body.
    Mixin,
    /// Bytes with no structure: only `input` names anything.
    Raw,
}

impl Format {
    /// The dissection of `bytes` in this format, if it has one.
    pub fn dissect(self, bytes: &[u8]) -> Option<Dissection> {
        match self {
            Format::Themis => crate::themis::dissect(bytes),
            Format::Mixin => Some(crate::mixin::dissect(bytes)),
            Format::Raw => None,
        }
    }
}

/// One named field of a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The dissection's name.
    pub name: String,
    /// Where it lies now.
    pub range: Range<usize>,
    /// How it encodes its value.
    pub kind: FieldKind,
    /// 0 for fields, 1 for parts inside one.
    pub depth: u8,
}

/// The named fields of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The format, to dissect again after a re-encoding.
    pub format: Format,
    /// The fields and parts, in input order.
    pub parts: Vec<Part>,
}

impl Layout {
    /// Every field and part of the value's dissection.
    pub fn of(format: Format, bytes: &[u8]) -> Layout {
        let parts = format
            .dissect(bytes)
            .map(|d| Self::parts(&d, |_| true))
            .unwrap_or_default();
        Layout { format, parts }
    }

    /// Only the fields that tile the input: what the fuzzers pick from by index, so that a
    /// fuzz input keeps its meaning as dissections gain parts.
    pub fn top_level(d: &Dissection) -> Layout {
        Layout {
            format: Format::Raw,
            parts: Self::parts(d, |f| f.depth == 0),
        }
    }

    /// No fields: the input as a whole.
    pub fn raw() -> Layout {
        Layout {
            format: Format::Raw,
            parts: Vec::new(),
        }
    }

    fn parts(d: &Dissection, keep: impl Fn(&crate::wire::Field) -> bool) -> Vec<Part> {
        d.fields
            .iter()
            .filter(|f| keep(f))
            .map(|f| Part {
                name: f.name.clone(),
                range: f.range.clone(),
                kind: f.kind.clone(),
                depth: f.depth,
            })
            .collect()
    }

    /// The part named `name`.
    pub fn find(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// The `i`-th part, modulo their number; `None` when there are none.
    pub fn nth(&self, i: usize) -> Option<&Part> {
        (!self.parts.is_empty()).then(|| &self.parts[i % self.parts.len()])
    }

    /// Records that `range` of the input now holds `new_len` bytes, edited as part of the
    /// field `owner` (by index): fields that contain the owner grow or shrink with it, fields
    /// after it move, and parts that lay inside a replaced range are gone.
    pub(super) fn splice(&mut self, range: Range<usize>, new_len: usize, owner: Option<usize>) {
        let owner_range = owner
            .and_then(|i| self.parts.get(i))
            .map(|p| p.range.clone());
        let grow = |p: &Range<usize>| match &owner_range {
            Some(o) => p.start <= o.start && o.end <= p.end,
            None => p.start <= range.start && range.end <= p.end && !range.is_empty(),
        };
        let old_len = range.len();
        let moved = |x: usize| (x + new_len).saturating_sub(old_len);
        self.parts.retain_mut(|p| {
            if grow(&p.range) {
                p.range.end = moved(p.range.end).max(p.range.start);
                true
            } else if p.range.start >= range.end && !(old_len == 0 && p.range.end == range.start) {
                p.range = moved(p.range.start)..moved(p.range.end);
                true
            } else if p.range.end <= range.start {
                true
            } else {
                // Inside (or straddling) a range that was replaced: no longer there.
                false
            }
        });
    }

    /// Records that the input was cut to `len` bytes.
    pub(super) fn cut(&mut self, len: usize) {
        for p in &mut self.parts {
            p.range.start = p.range.start.min(len);
            p.range.end = p.range.end.min(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        let part = |name: &str, range: Range<usize>, depth| Part {
            name: name.into(),
            range,
            kind: FieldKind::Bytes,
            depth,
        };
        Layout {
            format: Format::Raw,
            parts: vec![
                part("a", 0..4, 0),
                part("b", 4..10, 0),
                part("b.x", 4..6, 1),
                part("b.y", 6..10, 1),
                part("c", 10..12, 0),
            ],
        }
    }

    fn ranges(l: &Layout) -> Vec<(String, Range<usize>)> {
        l.parts
            .iter()
            .map(|p| (p.name.clone(), p.range.clone()))
            .collect()
    }

    #[test]
    fn inserting_into_a_field_grows_it_and_moves_what_follows() {
        let mut l = layout();
        // Two bytes inserted at the start of b.y (index 3), as part of it.
        l.splice(6..6, 2, Some(3));
        let r = ranges(&l);
        assert_eq!(r[1], ("b".into(), 4..12), "the container grows");
        assert_eq!(r[2], ("b.x".into(), 4..6), "what ends there stays");
        assert_eq!(r[3], ("b.y".into(), 6..12));
        assert_eq!(r[4], ("c".into(), 12..14));
    }

    #[test]
    fn replacing_a_field_drops_its_parts() {
        let mut l = layout();
        l.splice(4..10, 3, Some(1));
        let r = ranges(&l);
        assert_eq!(
            r,
            vec![("a".into(), 0..4), ("b".into(), 4..7), ("c".into(), 7..9)]
        );
        let mut l = layout();
        l.cut(5);
        assert_eq!(l.find("c").unwrap().range, 5..5);
        assert_eq!(l.nth(5).unwrap().name, "a");
    }
}
