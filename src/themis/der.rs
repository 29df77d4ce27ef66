//! The DER ECDSA signature Secure Message carries: `SEQUENCE { INTEGER r, INTEGER s }` (spec §3.2).
//!
//! Verification parses with the `ecdsa` crate; this file is the encoder beside it, and the
//! dissection of a signature into its parts (for `inspect` and the mutation vocabulary).

use super::error::ThemisError;
use crate::wire::{Codec, Dissection, FieldKind, Measures, Reader};
use rsa::BigUint;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;

/// An ECDSA signature by its two INTEGER contents, exactly as written (so a non-minimal or
/// negative encoding can be held and written too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerSignature {
    /// The content octets of r.
    pub r: Vec<u8>,
    /// The content octets of s.
    pub s: Vec<u8>,
}

/// A DER length: short form below 128, else `81 nn` (signatures never need more).
pub fn length(n: usize) -> Vec<u8> {
    match u8::try_from(n) {
        Ok(b) if b < 0x80 => vec![b],
        Ok(b) => vec![0x81, b],
        Err(_) => {
            let bytes = u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes();
            vec![0x82, bytes[0], bytes[1]]
        }
    }
}

/// The minimal content octets of a non-negative INTEGER.
pub fn integer(n: &BigUint) -> Vec<u8> {
    let raw = n.to_bytes_be();
    match raw.first() {
        None => vec![0],
        Some(b) if b & 0x80 != 0 => [&[0][..], &raw].concat(),
        Some(_) => raw,
    }
}

impl DerSignature {
    /// The signature of two numbers, minimally encoded.
    pub fn from_numbers(r: &BigUint, s: &BigUint) -> Self {
        DerSignature {
            r: integer(r),
            s: integer(s),
        }
    }

    /// r as a number (the content read as unsigned).
    pub fn r_number(&self) -> BigUint {
        BigUint::from_bytes_be(&self.r)
    }

    /// s as a number (the content read as unsigned).
    pub fn s_number(&self) -> BigUint {
        BigUint::from_bytes_be(&self.s)
    }

    /// The IEEE P1363 form `r ‖ s`, each left-padded to `width` bytes: what APIs that do not
    /// speak DER produce, and Themis does not read.
    pub fn to_p1363(&self, width: usize) -> Vec<u8> {
        let pad = |n: BigUint| {
            let raw = n.to_bytes_be();
            let mut out = vec![0u8; width.saturating_sub(raw.len())];
            out.extend_from_slice(&raw);
            out
        };
        [pad(self.r_number()), pad(self.s_number())].concat()
    }
}

/// Reads one TLV with the given tag: the content and where it lies.
fn tlv<'a>(r: &mut Reader<'a>, tag: u8) -> Option<(&'a [u8], std::ops::Range<usize>)> {
    (r.u8()? == tag).then_some(())?;
    let len = match r.u8()? {
        n if n < 0x80 => usize::from(n),
        0x81 => match r.u8()? {
            n if n >= 0x80 => usize::from(n),
            _ => return None,
        },
        _ => return None,
    };
    r.take_ranged(len)
}

impl Codec for DerSignature {
    type Error = ThemisError;

    /// Reads strict DER framing (minimal lengths, nothing after s); the integers are taken as
    /// written, their range is the verifier's business.
    fn read(bytes: &[u8]) -> Result<Self, ThemisError> {
        let bad = || ThemisError::SignatureEncoding("not a DER SEQUENCE of two INTEGERs");
        let mut outer = Reader::new(bytes);
        let (body, _) = tlv(&mut outer, SEQUENCE).ok_or_else(bad)?;
        if outer.remaining() != 0 {
            return Err(bad());
        }
        let mut inner = Reader::new(body);
        let (r, _) = tlv(&mut inner, INTEGER).ok_or_else(bad)?;
        let (s, _) = tlv(&mut inner, INTEGER).ok_or_else(bad)?;
        if inner.remaining() != 0 {
            return Err(bad());
        }
        Ok(DerSignature {
            r: r.to_vec(),
            s: s.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut body = Vec::with_capacity(self.r.len() + self.s.len() + 6);
        for int in [&self.r, &self.s] {
            body.push(INTEGER);
            body.extend_from_slice(&length(int.len()));
            body.extend_from_slice(int);
        }
        out.push(SEQUENCE);
        out.extend_from_slice(&length(body.len()));
        out.extend_from_slice(&body);
    }
}

/// Records the parts of a DER signature lying at `at` in the message, as far as the framing
/// can be followed: the SEQUENCE header, then each INTEGER's tag, length and content.
pub fn dissect_parts(signature: &[u8], at: usize, d: &mut Dissection) {
    let mut r = Reader::new(signature);
    let header = |r: &mut Reader<'_>| -> Option<(usize, std::ops::Range<usize>)> {
        let len_start = r.pos();
        let len = match r.u8()? {
            n if n < 0x80 => usize::from(n),
            0x81 => usize::from(r.u8()?),
            _ => return None,
        };
        Some((len, len_start..r.pos()))
    };
    let shift = |range: std::ops::Range<usize>| range.start + at..range.end + at;
    let Some(SEQUENCE) = r.u8() else { return };
    d.part("signature.seq", shift(0..1), "SEQUENCE", FieldKind::Bytes);
    let Some((_, len_range)) = header(&mut r) else {
        return;
    };
    d.part(
        "signature.seq_len",
        shift(len_range),
        "",
        FieldKind::DerLength {
            of: Measures::RestOf("signature".into()),
        },
    );
    for name in ["r", "s"] {
        let tag_at = r.pos();
        let Some(tag) = r.u8() else { return };
        d.part(
            format!("signature.{name}_tag"),
            shift(tag_at..tag_at + 1),
            if tag == INTEGER { "INTEGER" } else { "" },
            FieldKind::Bytes,
        );
        let Some((len, len_range)) = header(&mut r) else {
            return;
        };
        d.part(
            format!("signature.{name}_len"),
            shift(len_range),
            "",
            FieldKind::DerLength {
                of: Measures::Field(format!("signature.{name}")),
            },
        );
        let Some((_, range)) = r.take_ranged(len) else {
            return;
        };
        d.part(
            format!("signature.{name}"),
            shift(range),
            "",
            FieldKind::DerInt,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_round_trips_real_signatures() {
        let mut x = [0u8; 66];
        x[65] = 3;
        let d = super::super::ec::EcSecret::from_bytes(super::super::ec::Curve::P521, &x).unwrap();
        for m in [&b"a"[..], b"bc", b"message"] {
            let der = d.sign(m);
            let sig = DerSignature::read(&der).unwrap();
            assert_eq!(sig.to_bytes(), der);
            assert_eq!(
                DerSignature::from_numbers(&sig.r_number(), &sig.s_number()),
                sig
            );
        }
        let odd = DerSignature {
            r: vec![0, 1],
            s: vec![0xff],
        };
        assert_eq!(odd.to_bytes(), [0x30, 7, 2, 2, 0, 1, 2, 1, 0xff]);
        assert_eq!(DerSignature::read(&odd.to_bytes()).unwrap(), odd);
        assert!(
            DerSignature::read(&[0x30, 0x81, 3, 2, 1, 1]).is_err(),
            "BER length"
        );
        assert_eq!(length(200), [0x81, 200]);
        assert_eq!(integer(&BigUint::from(0x80u32)), [0, 0x80]);
        assert_eq!(integer(&BigUint::from(0u32)), [0]);
        assert_eq!(odd.to_p1363(2), [0, 1, 0, 0xff]);
    }

    #[test]
    fn parts_follow_the_framing() {
        let sig = DerSignature {
            r: vec![1; 3],
            s: vec![2; 2],
        }
        .to_bytes();
        let mut d = Dissection::default();
        dissect_parts(&sig, 10, &mut d);
        let names: Vec<_> = d.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "signature.seq",
                "signature.seq_len",
                "signature.r_tag",
                "signature.r_len",
                "signature.r",
                "signature.s_tag",
                "signature.s_len",
                "signature.s"
            ]
        );
        assert_eq!(d.fields[4].range, 14..17);
        let mut d = Dissection::default();
        dissect_parts(&sig[..5], 0, &mut d);
        assert_eq!(d.fields.len(), 4, "stops where the bytes end");
    }
}
