//! Byte-level helpers every decoder uses: a bounds-checked cursor, hex, and the two
//! base64 dialects of the Mixin ecosystem.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use std::ops::Range;

/// A cursor over untrusted bytes: every read is checked and returns `None` past the end,
/// so decoders never slice out of bounds.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at offset 0.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Offset of the next unread byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The unread bytes, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Takes `n` bytes with their byte range, or `None` (consuming nothing) if fewer remain.
    pub fn take_ranged(&mut self, n: usize) -> Option<(&'a [u8], Range<usize>)> {
        let end = self.pos.checked_add(n)?;
        let bytes = self.buf.get(self.pos..end)?;
        let range = self.pos..end;
        self.pos = end;
        Some((bytes, range))
    }

    /// Takes `n` bytes, or `None` (consuming nothing) if fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        self.take_ranged(n).map(|(b, _)| b)
    }

    /// Takes all remaining bytes.
    pub fn take_rest(&mut self) -> &'a [u8] {
        let rest = self.rest();
        self.pos = self.buf.len();
        rest
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|b| b.try_into().ok())
    }

    /// Takes one byte.
    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    /// Takes a little-endian u16.
    pub fn u16_le(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    /// Takes a little-endian u32.
    pub fn u32_le(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    /// Takes a big-endian u32.
    pub fn u32_be(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }
}

/// Lowercase hex, the protocol's encoding of binary values.
pub fn to_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Decodes hex (either case); the error says why, for a protocol error message.
pub fn from_hex(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s).map_err(|e| format!("not hex: {e}"))
}

/// Unpadded URL-safe base64, as bot-api-go-client writes it.
pub fn to_base64_url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard padded base64, as the Mixin mobile and desktop clients write it.
pub fn to_base64_std(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes base64 in either dialect of the ecosystem: standard (`+/`, padded) or URL-safe
/// (`-_`, padded or not). Whitespace is not allowed.
pub fn from_base64_any(s: &str) -> Result<Vec<u8>, String> {
    let trimmed = s.trim_end_matches('=');
    let url: String = trimmed
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    if trimmed.len() != s.len() && s.len() % 4 != 0 {
        return Err("base64 padding is malformed".into());
    }
    URL_SAFE_NO_PAD
        .decode(url.as_bytes())
        .map_err(|e| format!("not base64: {e}"))
}

/// Decodes a binary value typed by a person: hex when it is even-length hex, base64 otherwise.
pub fn from_hex_or_base64(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return from_hex(s);
    }
    from_base64_any(s).map_err(|e| format!("neither hex nor base64 ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_never_reads_past_the_end() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.take(4), None);
        assert_eq!(r.pos(), 0, "a failed read consumes nothing");
        assert_eq!(r.u16_le(), Some(0x0201));
        assert_eq!(r.u16_le(), None);
        assert_eq!(r.u8(), Some(3));
        assert_eq!(r.u8(), None);
        assert_eq!(r.take(usize::MAX), None);
        assert!(r.rest().is_empty());
    }

    #[test]
    fn reader_endianness() {
        let mut r = Reader::new(&[0x20, 0x26, 0x04, 0x26, 0, 0, 0, 0x2d]);
        assert_eq!(r.u32_le(), Some(0x2604_2620));
        assert_eq!(r.u32_be(), Some(0x2d));
    }

    #[test]
    fn base64_both_dialects() {
        let bytes = [0xfb, 0xff, 0xfe, 0x00];
        assert_eq!(to_base64_std(&bytes), "+//+AA==");
        assert_eq!(to_base64_url(&bytes), "-__-AA");
        for s in ["+//+AA==", "-__-AA", "-__-AA==", "+//+AA"] {
            assert_eq!(from_base64_any(s).unwrap(), bytes, "{s}");
        }
        assert!(from_base64_any("+//+AA=").is_err());
        assert!(from_base64_any("!!").is_err());
    }

    #[test]
    fn hex_or_base64() {
        assert_eq!(from_hex_or_base64("0102").unwrap(), [1, 2]);
        assert_eq!(from_hex_or_base64("AQI=").unwrap(), [1, 2]);
        assert_eq!(from_hex_or_base64("0x0A0b").unwrap(), [10, 11]);
    }
}
