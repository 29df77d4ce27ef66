//! Soter key containers: tag, big-endian size, little-endian-stored CRC-32C (spec §1.1-1.2).

use super::error::ThemisError;
use crate::wire::{Codec, Reader};
use std::ops::Range;

/// Length of the container header: tag, size, checksum.
pub const HEADER_LEN: usize = 12;

/// A container split into its fields, with their byte ranges, after the framing checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container<'a> {
    /// The four tag bytes.
    pub tag: [u8; 4],
    /// The size field (big-endian), equal to the input length once parsed.
    pub size: u32,
    /// The checksum as stored (read little-endian, so it compares with the CRC value).
    pub crc: u32,
    /// The payload after the header.
    pub payload: &'a [u8],
    /// Where the payload lies in the input.
    pub payload_range: Range<usize>,
}

/// CRC-32C over the container with the checksum field read as zeros, as Soter computes it.
pub fn checksum(container: &[u8]) -> u32 {
    let head = container.get(..8).unwrap_or(container);
    let tail = container.get(HEADER_LEN..).unwrap_or(&[]);
    let crc = crc32c::crc32c(head);
    let crc = crc32c::crc32c_append(crc, &[0; 4]);
    crc32c::crc32c_append(crc, tail)
}

/// CRC-32/IEEE (zlib's, reflected 0xEDB88320) over the container as [`checksum`] reads it:
/// the wrong checksum a port on a platform's default CRC-32 writes. Not Themis's; the
/// corpus and the mutant zoo use it to catch exactly that port.
pub fn ieee_checksum(container: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for (i, b) in container.iter().enumerate() {
        crc ^= u32::from(if (8..HEADER_LEN).contains(&i) { 0 } else { *b });
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// CRC-32C over the payload alone: the other wrong checksum (a writer that skips the header).
pub fn payload_checksum(container: &[u8]) -> u32 {
    crc32c::crc32c(container.get(HEADER_LEN..).unwrap_or(&[]))
}

/// Splits a container, checking the header length, the size field and the checksum.
///
/// The tag is returned as found; recognising it is the caller's business, since only the
/// caller knows which payloads a tag allows.
pub fn parse(bytes: &[u8]) -> Result<Container<'_>, ThemisError> {
    let mut r = Reader::new(bytes);
    let (tag, size, crc) = match (r.array::<4>(), r.u32_be(), r.u32_le()) {
        (Some(t), Some(s), Some(c)) => (t, s, c),
        _ => return Err(ThemisError::KeyTooShort { len: bytes.len() }),
    };
    if usize::try_from(size).ok() != Some(bytes.len()) {
        return Err(ThemisError::KeySize {
            declared: size,
            actual: bytes.len(),
        });
    }
    let computed = checksum(bytes);
    if computed != crc {
        return Err(ThemisError::KeyChecksum {
            stored: crc,
            computed,
        });
    }
    let payload_range = r.pos()..bytes.len();
    Ok(Container {
        tag,
        size,
        crc,
        payload: r.rest(),
        payload_range,
    })
}

/// Builds a container around a payload; `None` if it would not fit a u32 size.
pub fn write(tag: [u8; 4], payload: &[u8]) -> Option<Vec<u8>> {
    let total = payload.len().checked_add(HEADER_LEN)?;
    u32::try_from(total).ok()?;
    Some(
        KeyContainer {
            tag,
            payload: payload.to_vec(),
        }
        .to_bytes(),
    )
}

/// A container by its content: the size and the CRC are derived when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyContainer {
    /// The four tag bytes.
    pub tag: [u8; 4],
    /// The payload.
    pub payload: Vec<u8>,
}

impl Codec for KeyContainer {
    type Error = ThemisError;

    fn read(bytes: &[u8]) -> Result<Self, ThemisError> {
        let c = parse(bytes)?;
        Ok(KeyContainer {
            tag: c.tag,
            payload: c.payload.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        let size = u32::try_from(HEADER_LEN + self.payload.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&self.tag);
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&self.payload);
        let crc = checksum(out.get(start..).unwrap_or(&[]));
        // The CRC value is stored little-endian (Soter byte-swaps, then writes big-endian).
        if let Some(field) = out.get_mut(start + 8..start + HEADER_LEN) {
            field.copy_from_slice(&crc.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn spec_example_key_checksum_bytes() {
        // spec §1.2: the ec0 public key stores f8 e0 eb 5f for CRC-32C 0x5febe0f8.
        let key = hex::decode("554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4").unwrap();
        assert_eq!(checksum(&key), 0x5feb_e0f8);
        assert_eq!(&key[8..12], &[0xf8, 0xe0, 0xeb, 0x5f]);
        let c = parse(&key).unwrap();
        assert_eq!(&c.tag, b"UEC2");
        assert_eq!(c.payload.len(), 33);
        assert_eq!(write(c.tag, c.payload).unwrap(), key);
    }

    #[test]
    fn the_wrong_checksums() {
        // zlib.crc32 values: under 8 bytes nothing is zeroed; bytes 8..12 always read as 0.
        assert_eq!(ieee_checksum(b"1234567"), 0x5003_699f);
        assert_eq!(ieee_checksum(b"12345678\xaa\xbb\xcc\xdd9"), 0x00f5_9c9f);
        assert_eq!(payload_checksum(b"12345678\0\0\0\09"), crc32c::crc32c(b"9"));
        let key = write(*b"UEC2", &[2; 33]).unwrap();
        assert_ne!(ieee_checksum(&key), checksum(&key));
    }

    #[test]
    fn container_codec_round_trips() {
        let upstream: serde_json::Value = serde_json::from_str(include_str!(
            "../../vectors/upstream/themis-upstream-vectors.json"
        ))
        .unwrap();
        let mut n = 0;
        for k in upstream["key_fixtures"].as_array().unwrap() {
            let Some(text) = k["key"].as_str() else {
                continue;
            };
            let bytes = hex::decode(text).unwrap();
            let Ok(c) = KeyContainer::read(&bytes) else {
                continue;
            };
            assert_eq!(c.to_bytes(), bytes, "{}", k["id"]);
            n += 1;
        }
        assert!(n > 20, "{n} upstream keys read");
        let c = KeyContainer {
            tag: *b"REC2",
            payload: vec![0; 33],
        };
        assert_eq!(KeyContainer::read(&c.to_bytes()).unwrap(), c);
    }

    #[test]
    fn framing_errors() {
        let key = write(*b"UEC2", &[2; 33]).unwrap();
        assert!(matches!(
            parse(&key[..11]),
            Err(ThemisError::KeyTooShort { len: 11 })
        ));
        assert!(matches!(
            parse(&key[..44]),
            Err(ThemisError::KeySize {
                declared: 45,
                actual: 44
            })
        ));
        let mut bad = key.clone();
        bad[20] ^= 1;
        assert!(matches!(parse(&bad), Err(ThemisError::KeyChecksum { .. })));
        let mut bad = key;
        bad[8] ^= 1;
        assert!(matches!(parse(&bad), Err(ThemisError::KeyChecksum { .. })));
    }
}
