//! Recognises what a byte string is and dissects it (`sealcheck inspect`, `sealcheck show`),
//! and reads the text a person typed, saying which encoding it took and why.

use crate::wire::{self, Dissection};

/// Dissects `bytes` as the given format, or recognises it: Themis keys and messages start
/// with a recognisable tag or type, so anything else is read as a Mixin body.
pub fn dissect(bytes: &[u8], format: Option<&str>) -> Dissection {
    match format {
        Some("mixin") => crate::mixin::dissect(bytes),
        Some("themis") => crate::themis::dissect(bytes).unwrap_or_else(|| {
            let mut d = Dissection::new("not a Themis key or message");
            d.problem("no Soter key tag (REC/UEC/RRA/URA) and no Secure Message type (0x260426xx, 0x260427xx)");
            d
        }),
        _ => crate::themis::dissect(bytes).unwrap_or_else(|| crate::mixin::dissect(bytes)),
    }
}

/// The dissection of one argument (or output field) `name` of `op`, when it is a message or
/// a key container worth laying out: a Mixin body, a Themis key, signed or encrypted message.
/// Raw keys, session ids and plaintexts have no structure to show.
pub fn dissect_arg(op: &str, name: &str, bytes: &[u8]) -> Option<Dissection> {
    match (op.split('.').next(), name) {
        (Some("mixin"), "body") => Some(crate::mixin::dissect(bytes)),
        (
            Some("themis"),
            "key" | "private_key" | "public_key" | "peer_public_key" | "signed" | "encrypted",
        ) => Some(dissect(bytes, Some("themis"))),
        _ => None,
    }
}

/// An encoding of binary values as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Hex digits, either case.
    Hex,
    /// Base64, standard or URL-safe, padded or not.
    Base64,
}

/// Text decoded to bytes, with the encoding taken and the reason, for people to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The encoding taken.
    pub encoding: Encoding,
    /// Why that one, in words: `read as hex (90 digits)`.
    pub reading: String,
}

/// Reads bytes typed by a person: hex when the text is an even number of hex digits (or
/// starts with `0x`), base64 otherwise, unless `forced`. Whitespace is dropped, so wrapped
/// or spaced pastes work. The error says what was tried.
pub fn decode_text(text: &str, forced: Option<Encoding>) -> Result<Decoded, String> {
    let squeezed: String = text.split_ascii_whitespace().collect();
    let (s, prefixed) = match squeezed.strip_prefix("0x") {
        Some(rest) => (rest, true),
        None => (squeezed.as_str(), false),
    };
    if s.is_empty() {
        return Err("the input is empty".into());
    }
    let digits = s.bytes().all(|b| b.is_ascii_hexdigit());
    let hex = |why: String| -> Result<Decoded, String> {
        if s.len() % 2 == 1 {
            return Err(format!(
                "{} hex digits: an odd number, so one is missing or extra",
                s.len()
            ));
        }
        wire::from_hex(s).map(|bytes| Decoded {
            bytes,
            encoding: Encoding::Hex,
            reading: why,
        })
    };
    let base64 = |why: String| -> Result<Decoded, String> {
        wire::from_base64_any(s).map(|bytes| Decoded {
            bytes,
            encoding: Encoding::Base64,
            reading: why,
        })
    };
    match forced {
        Some(Encoding::Hex) => hex(format!("read as hex (--encoding hex, {} digits)", s.len())),
        Some(Encoding::Base64) => base64(format!(
            "read as base64 (--encoding base64, {} characters)",
            s.len()
        )),
        None if prefixed => hex(format!("read as hex (0x prefix, {} digits)", s.len())),
        None if digits && s.len() % 2 == 0 => hex(format!("read as hex ({} digits)", s.len())),
        None if digits => base64(format!(
            "read as base64: {} hex digits is an odd number, so it cannot be hex \
             (if you meant hex, a digit is missing; --encoding hex insists)",
            s.len()
        ))
        .map_err(|e| {
            format!(
                "{} hex digits is an odd number, and as base64: {e}",
                s.len()
            )
        }),
        None => {
            let first = s.chars().find(|c| !c.is_ascii_hexdigit()).unwrap_or('?');
            base64(format!(
                "read as base64 ({} characters; not hex, it has {first:?})",
                s.len()
            ))
            .map_err(|e| format!("neither hex (it has {first:?}) nor base64 ({e})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_which_encoding_and_why() {
        let d = decode_text("0102", None).unwrap();
        assert_eq!(
            (d.bytes.as_slice(), d.encoding),
            (&[1u8, 2][..], Encoding::Hex)
        );
        let d = decode_text("abc", None).unwrap();
        assert_eq!(d.encoding, Encoding::Base64);
        assert!(d.reading.contains("odd number"), "{}", d.reading);
        assert!(decode_text("abc", Some(Encoding::Hex))
            .unwrap_err()
            .contains("odd number"));
        let d = decode_text("AQI=", None).unwrap();
        assert_eq!(
            (d.bytes.as_slice(), d.encoding),
            (&[1u8, 2][..], Encoding::Base64)
        );
        assert!(d.reading.contains("'Q'"), "{}", d.reading);
        assert_eq!(decode_text("0x0A0b", None).unwrap().bytes, [10, 11]);
        assert_eq!(decode_text(" 01 02\n03 ", None).unwrap().bytes, [1, 2, 3]);
        // Even-length hex read as base64 on request.
        let d = decode_text("abcd", Some(Encoding::Base64)).unwrap();
        assert_eq!(d.bytes, [0x69, 0xb7, 0x1d]);
        assert!(decode_text("!!", None).unwrap_err().contains("neither hex"));
        assert!(decode_text("", None).is_err());
    }

    #[test]
    fn message_args_are_dissected_and_plain_bytes_are_not() {
        let key = hex::decode("554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4").unwrap();
        let d = dissect_arg("themis.verify", "public_key", &key).unwrap();
        assert!(
            d.problem.is_none() && d.title.contains("key container"),
            "{d:?}"
        );
        assert!(dissect_arg("themis.sign", "message", &key).is_none());
        assert!(dissect_arg("mixin.decrypt", "private_key", &[0; 32]).is_none());
        assert!(dissect_arg("mixin.decrypt", "body", &[1])
            .unwrap()
            .problem
            .is_some());
    }
}
