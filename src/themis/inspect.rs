//! Dissections of Themis key containers and Secure Messages for `sealcheck inspect` (spec §1, §3-5).

use super::container::{self, HEADER_LEN};
use super::keys::{key_check, payload_layout, tag_info, TagInfo};
use super::kind::KeyKind;
use super::message::{self, MessageType};
use crate::wire::{Dissection, FieldKind, Measures, Reader};

/// Lays out a key container or a Secure Message field by field, with the first problem the
/// reference finds; `None` if the bytes look like neither.
pub fn dissect(bytes: &[u8]) -> Option<Dissection> {
    let prefix = bytes.get(..3)?;
    if matches!(prefix, b"REC" | b"UEC" | b"RRA" | b"URA") {
        return Some(dissect_key(bytes));
    }
    let mut r = Reader::new(bytes);
    let ty = r.u32_le()?;
    match ty & 0xffff_ff00 {
        0x2604_2600 | 0x2604_2700 => Some(dissect_message(bytes, ty)),
        _ => None,
    }
}

fn dissect_key(bytes: &[u8]) -> Dissection {
    let mut r = Reader::new(bytes);
    let tag = r.array::<4>();
    let info = tag.and_then(tag_info);
    let title = match info {
        Some(TagInfo::Ec(kind, curve)) => {
            format!("Themis key container ({kind}, {})", curve.name())
        }
        Some(TagInfo::Rsa(kind, k)) => format!("Themis key container ({kind}, {} bits)", k * 8),
        None => "Themis key container (unknown tag)".to_string(),
    };
    let mut d = Dissection::new(title);
    if tag.is_some() {
        d.field(
            "tag",
            0..4,
            String::from_utf8_lossy(bytes.get(..4).unwrap_or(&[])).into_owned(),
        );
    }
    if let Some(size) = r.u32_be() {
        let kind = FieldKind::Length {
            width: 4,
            big_endian: true,
            of: Measures::Input,
        };
        d.field_as(
            "size",
            4..8,
            format!("{size}, big-endian, whole container"),
            kind,
        );
    }
    if let Some(crc) = r.u32_le() {
        let note = if crc == container::checksum(bytes) {
            format!("CRC-32C {crc:08x}, stored little-endian, matches")
        } else {
            format!("CRC-32C {crc:08x}, stored little-endian, does not match")
        };
        d.field_as("crc", 8..HEADER_LEN, note, FieldKind::Checksum);
    }
    let payload_len = bytes.len().saturating_sub(HEADER_LEN);
    match info.and_then(|i| payload_layout(i, payload_len).map(|f| (i, f))) {
        Some((info, fields)) => {
            for (name, range) in fields {
                let range = range.start + HEADER_LEN..range.end + HEADER_LEN;
                let kind = match name {
                    "e" => FieldKind::Uint {
                        width: 4,
                        big_endian: true,
                    },
                    _ => FieldKind::Bytes,
                };
                d.field_as(name, range.clone(), "", kind);
                if let (TagInfo::Ec(KeyKind::EcPublic, curve), "point") = (info, name) {
                    point_parts(range, curve.field_len(), &mut d);
                }
            }
        }
        None if payload_len > 0 => d.field("payload", HEADER_LEN..bytes.len(), ""),
        None => {}
    }
    if let Err(e) = key_check(bytes) {
        d.problem(e.to_string());
    }
    d
}

/// The prefix and coordinates of a SEC1 point stored in `range`, by its length alone.
fn point_parts(range: std::ops::Range<usize>, f: usize, d: &mut Dissection) {
    let at = range.start;
    let form = if range.len() == f + 1 {
        "02/03 compressed"
    } else {
        "04 uncompressed"
    };
    d.part("point.prefix", at..at + 1, form, FieldKind::uint_le(1));
    d.part("point.x", at + 1..at + 1 + f, "", FieldKind::Bytes);
    if range.len() == 2 * f + 1 {
        d.part("point.y", at + 1 + f..range.end, "", FieldKind::Bytes);
    }
}

fn dissect_message(bytes: &[u8], raw_type: u32) -> Dissection {
    let exact = MessageType::from_u32(raw_type);
    // An unknown low byte still shows the family's layout, flagged as a header problem.
    let layout = exact.unwrap_or(if raw_type & 0xffff_ff00 == 0x2604_2600 {
        MessageType::EcSigned
    } else {
        MessageType::EcEncrypted
    });
    let mut d = Dissection::new(format!(
        "Themis Secure Message ({})",
        exact.map_or("unknown type", MessageType::name)
    ));
    let result = message::read_type(bytes, &[layout], "a known Secure Message type", &mut d);
    if let Err(e) = result {
        d.problem(e.to_string());
    }
    let parsed = if layout.is_signed() {
        message::parse_signed(bytes, layout, None, &mut d).map(|_| ())
    } else {
        message::parse_encrypted(bytes, layout, None, &mut d).map(|_| ())
    };
    if let Err(e) = parsed {
        d.problem(e.to_string());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::keys::generate_ec_keypair;
    use super::super::{encrypt, sign, EncryptRandom};
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn dissects_keys_and_messages() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let (private, public) = generate_ec_keypair(&mut rng);
        let d = dissect(&private).unwrap();
        assert_eq!(d.title, "Themis key container (ec_private, P-256)");
        assert_eq!(d.problem, None);
        assert!(d
            .fields
            .iter()
            .any(|f| f.name == "scalar" && f.range == (13..45)));
        let d = dissect(&public).unwrap();
        let parts: Vec<_> = d.fields.iter().filter(|f| f.depth == 1).collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[1].name.as_str(), parts[1].range.clone()),
            ("point.x", 13..45)
        );

        let signed = sign(&private, b"hi", &mut rng).unwrap();
        let d = dissect(&signed).unwrap();
        assert_eq!(d.problem, None);
        assert!(d
            .fields
            .iter()
            .any(|f| f.name == "plaintext" && f.range == (12..14)));
        assert!(d
            .fields
            .iter()
            .any(|f| f.name == "signature.s" && f.kind == FieldKind::DerInt));

        let random = EncryptRandom::from_rng(&mut rng);
        let enc = encrypt(&private, &public, b"hi", &random).unwrap();
        let d = dissect(&enc).unwrap();
        assert_eq!(d.problem, None);
        assert!(d
            .fields
            .iter()
            .any(|f| f.name == "cell.ciphertext" && f.range == (52..54)));

        let mut bad = enc.clone();
        bad[12] = 16;
        let d = dissect(&bad).unwrap();
        assert!(d.problem.unwrap().contains("iv_length"));

        let mut odd = signed.clone();
        odd[0] = 0x21;
        let d = dissect(&odd).unwrap();
        assert!(d.problem.unwrap().contains("0x26042621"));

        let mut key = private.clone();
        key[9] ^= 1;
        assert!(dissect(&key).unwrap().problem.unwrap().contains("checksum"));
        assert!(dissect(b"hello world").is_none());
        assert!(dissect(&[]).is_none());
    }
}
