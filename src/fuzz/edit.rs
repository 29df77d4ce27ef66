//! One edit of a well-formed envelope, aimed at one of its dissected fields: the byte-level
//! mutations the structure-aware targets and the differential fuzzer make.

use super::Source;
use crate::wire::Dissection;
use std::ops::Range;

/// One edit of a well-formed envelope, aimed at one of its dissected fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Flip one bit of the field (bit index modulo the field's bits).
    FlipBit {
        /// Index into the field list.
        field: usize,
        /// Bit index.
        bit: u32,
    },
    /// Overwrite the field's first two bytes with a little-endian u16.
    SetU16 {
        /// Index into the field list.
        field: usize,
        /// The value.
        value: u16,
    },
    /// Overwrite the field's first four bytes with a little-endian u32.
    SetU32 {
        /// Index into the field list.
        field: usize,
        /// The value.
        value: u32,
    },
    /// Cut the input at the field's start plus `delta` (clamped).
    Truncate {
        /// Index into the field list.
        field: usize,
        /// Offset from the field's start.
        delta: i8,
    },
    /// Insert bytes at the field's start.
    Insert {
        /// Index into the field list.
        field: usize,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Swap the contents of two fields (the common prefix, when their lengths differ).
    Swap {
        /// Index into the field list.
        a: usize,
        /// Index into the field list.
        b: usize,
    },
    /// Set the field's bytes to a constant.
    Fill {
        /// Index into the field list.
        field: usize,
        /// The byte.
        byte: u8,
    },
}

impl Edit {
    /// Decodes an edit from fuzz input.
    pub fn from_source(s: &mut Source<'_>) -> Edit {
        let kind = s.u8() % 7;
        let field = usize::from(s.u8());
        match kind {
            0 => Edit::FlipBit {
                field,
                bit: u32::from(s.u16()),
            },
            1 => Edit::SetU16 {
                field,
                value: s.u16(),
            },
            2 => Edit::SetU32 {
                field,
                value: s.u32(),
            },
            3 => Edit::Truncate {
                field,
                delta: s.u8() as i8,
            },
            4 => Edit::Insert {
                field,
                bytes: s.var_bytes(32).to_vec(),
            },
            5 => Edit::Swap {
                a: field,
                b: usize::from(s.u8()),
            },
            _ => Edit::Fill {
                field,
                byte: s.u8(),
            },
        }
    }

    /// A short description naming the field, for findings.
    pub fn describe(&self, fields: &[(String, Range<usize>)]) -> String {
        let name = |i: usize| {
            if fields.is_empty() {
                "(input)".to_string()
            } else {
                fields[i % fields.len()].0.clone()
            }
        };
        match self {
            Edit::FlipBit { field, bit } => format!("flip bit {bit} of {}", name(*field)),
            Edit::SetU16 { field, value } => format!("set {} to u16 {value}", name(*field)),
            Edit::SetU32 { field, value } => format!("set {} to u32 {value}", name(*field)),
            Edit::Truncate { field, delta } => {
                format!("truncate at start of {} {delta:+}", name(*field))
            }
            Edit::Insert { field, bytes } => {
                format!("insert {} bytes before {}", bytes.len(), name(*field))
            }
            Edit::Swap { a, b } => format!("swap {} and {}", name(*a), name(*b)),
            Edit::Fill { field, byte } => format!("fill {} with {byte:#04x}", name(*field)),
        }
    }

    /// Applies the edit to `bytes`, whose fields are `fields` (name, range); with no fields
    /// the whole input is one field.
    pub fn apply(&self, bytes: &[u8], fields: &[(String, Range<usize>)]) -> Vec<u8> {
        let whole = [(String::new(), 0..bytes.len())];
        let fields = if fields.is_empty() {
            &whole[..]
        } else {
            fields
        };
        let range = |i: usize| {
            let r = fields[i % fields.len()].1.clone();
            r.start.min(bytes.len())..r.end.min(bytes.len())
        };
        let mut out = bytes.to_vec();
        match self {
            Edit::FlipBit { field, bit } => {
                let r = range(*field);
                if !r.is_empty() {
                    let bit = *bit as usize % (r.len() * 8);
                    out[r.start + bit / 8] ^= 1 << (bit % 8);
                }
            }
            Edit::SetU16 { field, value } => {
                let r = range(*field);
                for (o, v) in out[r].iter_mut().zip(value.to_le_bytes()) {
                    *o = v;
                }
            }
            Edit::SetU32 { field, value } => {
                let r = range(*field);
                for (o, v) in out[r].iter_mut().zip(value.to_le_bytes()) {
                    *o = v;
                }
            }
            Edit::Truncate { field, delta } => {
                let at = (range(*field).start as isize + *delta as isize)
                    .clamp(0, bytes.len() as isize) as usize;
                out.truncate(at);
            }
            Edit::Insert { field, bytes: b } => {
                let at = range(*field).start;
                out.splice(at..at, b.iter().copied());
            }
            Edit::Swap { a, b } => {
                let (ra, rb) = (range(*a), range(*b));
                let n = ra.len().min(rb.len());
                for i in 0..n {
                    out.swap(ra.start + i, rb.start + i);
                }
            }
            Edit::Fill { field, byte } => {
                out[range(*field)].iter_mut().for_each(|o| *o = *byte);
            }
        }
        out
    }
}

pub(super) fn fields_of(d: &Dissection) -> Vec<(String, Range<usize>)> {
    d.fields
        .iter()
        .map(|f| (f.name.clone(), f.range.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_aim_at_fields() {
        let fields = vec![("a".to_string(), 0..2), ("b".to_string(), 2..6)];
        let bytes = [0u8; 6];
        let set = Edit::SetU32 {
            field: 1,
            value: 0x0403_0201,
        };
        assert_eq!(set.apply(&bytes, &fields), [0, 0, 1, 2, 3, 4]);
        let cut = Edit::Truncate { field: 1, delta: 1 };
        assert_eq!(cut.apply(&bytes, &fields).len(), 3);
        let flip = Edit::FlipBit { field: 2, bit: 9 };
        assert_eq!(flip.apply(&bytes, &fields), [0, 2, 0, 0, 0, 0]);
        assert_eq!(flip.describe(&fields), "flip bit 9 of a");
        let swap = Edit::Swap { a: 0, b: 1 };
        assert_eq!(swap.apply(&[1, 2, 3, 4, 5, 6], &fields), [3, 4, 1, 2, 5, 6]);
    }
}
