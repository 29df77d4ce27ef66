//! Binary values as text: hex (the protocol's encoding) and the two base64 dialects of the
//! Mixin ecosystem; and [`Codec`], which pairs each format's decoder with its encoder.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

/// A wire structure with its strict decoder and its encoder side by side (rustls pairs
/// `read` and `encode` the same way), so the generator, the mutants and the fuzzer build
/// messages with the reference's own writers.
///
/// Lengths, counts and checksums are not held: `encode` derives them from the content, and
/// `read` accepts only input whose derived fields are right, so `encode(read(b)) == b` for
/// every `b` that reads, and `read(encode(x)) == x` for every well-formed `x`.
pub trait Codec: Sized {
    /// Why input does not read.
    type Error;
    /// Reads the structure strictly.
    fn read(bytes: &[u8]) -> Result<Self, Self::Error>;
    /// Appends the structure's bytes.
    fn encode(&self, out: &mut Vec<u8>);
    /// The structure's bytes.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
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
