//! Soter key containers: tag, big-endian size, little-endian-stored CRC-32C (spec §1.1-1.2).

use super::error::ThemisError;
use crate::wire::Reader;
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
    let size = u32::try_from(total).ok()?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&tag);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(payload);
    let crc = checksum(&out);
    // The CRC value is stored little-endian (Soter byte-swaps, then writes big-endian).
    if let Some(field) = out.get_mut(8..HEADER_LEN) {
        field.copy_from_slice(&crc.to_le_bytes());
    }
    Some(out)
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
