//! Themis key containers: EC P-256/384/521 and RSA 1024-8192, parse, check, write, generate (spec §1.3-1.4).

use super::container::{self, KeyContainer};
use super::ec::{Curve, EcPublic, EcSecret};
use super::error::ThemisError;
use super::kind::KeyKind;
use crate::wire::Codec;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use std::ops::Range;

/// The public exponents Themis imports (`soter_rsa_key.c` accepts only these two).
const RSA_EXPONENTS: [u32; 2] = [3, 65537];

/// A key that passed every check, in usable form.
#[derive(Debug, Clone)]
pub(crate) enum Key {
    EcPrivate(EcSecret),
    EcPublic(EcPublic),
    RsaPrivate(Box<RsaPrivateKey>),
    RsaPublic(RsaPublicKey),
}

impl Key {
    pub(crate) fn kind(&self) -> KeyKind {
        match self {
            Key::EcPrivate(_) => KeyKind::EcPrivate,
            Key::EcPublic(_) => KeyKind::EcPublic,
            Key::RsaPrivate(_) => KeyKind::RsaPrivate,
            Key::RsaPublic(_) => KeyKind::RsaPublic,
        }
    }
}

/// What a tag says: the kind, and the curve or the RSA modulus length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagInfo {
    Ec(KeyKind, Curve),
    Rsa(KeyKind, usize),
}

/// Reads a container tag.
pub(crate) fn tag_info(tag: [u8; 4]) -> Option<TagInfo> {
    let [a, b, c, d] = tag;
    match &[a, b, c] {
        b"REC" => Curve::from_tag_digit(d).map(|cv| TagInfo::Ec(KeyKind::EcPrivate, cv)),
        b"UEC" => Curve::from_tag_digit(d).map(|cv| TagInfo::Ec(KeyKind::EcPublic, cv)),
        b"RRA" => rsa_len(d).map(|k| TagInfo::Rsa(KeyKind::RsaPrivate, k)),
        b"URA" => rsa_len(d).map(|k| TagInfo::Rsa(KeyKind::RsaPublic, k)),
        _ => None,
    }
}

/// Modulus bytes for an RSA tag digit ('1' = 1024 bits … '8' = 8192 bits).
fn rsa_len(digit: u8) -> Option<usize> {
    match digit {
        b'1' => Some(128),
        b'2' => Some(256),
        b'4' => Some(512),
        b'8' => Some(1024),
        _ => None,
    }
}

/// The tag digit of an RSA modulus length in bytes.
fn rsa_digit(k: usize) -> Option<u8> {
    [b'1', b'2', b'4', b'8']
        .into_iter()
        .find(|&d| rsa_len(d) == Some(k))
}

/// Named byte ranges of a key payload (offsets relative to the payload), for dissection.
///
/// `None` when the payload length is not one the tag allows.
pub(crate) fn payload_layout(
    info: TagInfo,
    len: usize,
) -> Option<Vec<(&'static str, Range<usize>)>> {
    match info {
        TagInfo::Ec(KeyKind::EcPublic, cv) => {
            let f = cv.field_len();
            (len == f + 1 || len == 2 * f + 1).then(|| vec![("point", 0..len)])
        }
        TagInfo::Ec(_, cv) => {
            let f = cv.field_len();
            if len == f + 1 {
                Some(vec![("pad", 0..1), ("scalar", 1..len)])
            } else if len == f {
                Some(vec![("scalar", 0..len)])
            } else {
                None
            }
        }
        TagInfo::Rsa(KeyKind::RsaPublic, k) => {
            (len == k + 4).then(|| vec![("n", 0..k), ("e", k..k + 4)])
        }
        TagInfo::Rsa(_, k) => {
            let h = k / 2;
            if len != rsa_private_len(k) {
                return None;
            }
            let mut fields = vec![("d", 0..k)];
            let mut at = k;
            for name in ["p", "q", "dp", "dq", "qp"] {
                fields.push((name, at..at + h));
                at += h;
            }
            fields.push(("n", at..at + k));
            fields.push(("e", at + k..at + k + 4));
            Some(fields)
        }
    }
}

fn rsa_private_len(k: usize) -> usize {
    // d(k) ‖ p, q, dp, dq, qp (k/2 each) ‖ n(k) ‖ e(4)
    k + 5 * (k / 2) + k + 4
}

/// A key's fields as the container payload lays them out (spec §1.3-1.4). The tag is
/// derived: the kind and the curve, or the RSA size from the modulus length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFields {
    /// `RECx`: the scalar, after the pad byte Themis writes (`00 ‖ d`) or without it.
    EcPrivate {
        /// The curve.
        curve: Curve,
        /// The byte before the scalar, when the payload has one.
        pad: Option<u8>,
        /// The scalar d, field width, big-endian.
        scalar: Vec<u8>,
    },
    /// `UECx`: a SEC1 point, compressed or uncompressed.
    EcPublic {
        /// The curve.
        curve: Curve,
        /// The point as stored.
        point: Vec<u8>,
    },
    /// `URAx`: n ‖ e.
    RsaPublic {
        /// The modulus, k bytes.
        n: Vec<u8>,
        /// The public exponent.
        e: u32,
    },
    /// `RRAx`: d ‖ p, q, dp, dq, qp ‖ n ‖ e.
    RsaPrivate {
        /// d, p, q, dp, dq, qp, n: d and n k bytes, the others k/2.
        numbers: [Vec<u8>; 7],
        /// The public exponent.
        e: u32,
    },
}

/// The names of an RSA private key's numbers, in payload order.
pub const RSA_PRIVATE_NUMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qp", "n"];

impl KeyFields {
    /// The container tag these fields go under.
    pub fn tag(&self) -> [u8; 4] {
        match self {
            KeyFields::EcPrivate { curve, .. } => [b'R', b'E', b'C', curve.tag_digit()],
            KeyFields::EcPublic { curve, .. } => [b'U', b'E', b'C', curve.tag_digit()],
            KeyFields::RsaPublic { n, .. } => {
                [b'U', b'R', b'A', rsa_digit(n.len()).unwrap_or(b'?')]
            }
            KeyFields::RsaPrivate { numbers, .. } => {
                let k = numbers[6].len();
                [b'R', b'R', b'A', rsa_digit(k).unwrap_or(b'?')]
            }
        }
    }

    /// The payload bytes.
    pub fn payload(&self) -> Vec<u8> {
        match self {
            KeyFields::EcPrivate { pad, scalar, .. } => {
                let mut out: Vec<u8> = pad.iter().copied().collect();
                out.extend_from_slice(scalar);
                out
            }
            KeyFields::EcPublic { point, .. } => point.clone(),
            KeyFields::RsaPublic { n, e } => [&n[..], &e.to_be_bytes()].concat(),
            KeyFields::RsaPrivate { numbers, e } => {
                let mut out = numbers.concat();
                out.extend_from_slice(&e.to_be_bytes());
                out
            }
        }
    }
}

impl Codec for KeyFields {
    type Error = ThemisError;

    /// Reads the framing: container, tag, and a payload length the tag allows. The numbers
    /// themselves are checked by [`key_check`], not here.
    fn read(bytes: &[u8]) -> Result<Self, ThemisError> {
        let c = container::parse(bytes)?;
        let info = tag_info(c.tag).ok_or_else(|| ThemisError::KeyTag {
            tag: String::from_utf8_lossy(&c.tag).into_owned(),
        })?;
        let fields =
            payload_layout(info, c.payload.len()).ok_or_else(|| ThemisError::KeyPayload {
                tag: String::from_utf8_lossy(&c.tag).into_owned(),
                len: c.payload.len(),
            })?;
        let field = |name: &str| -> Vec<u8> {
            fields
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, r)| c.payload.get(r.clone()))
                .unwrap_or(&[])
                .to_vec()
        };
        let e = || -> u32 {
            field("e")
                .try_into()
                .map(u32::from_be_bytes)
                .unwrap_or_default()
        };
        Ok(match info {
            TagInfo::Ec(KeyKind::EcPublic, curve) => KeyFields::EcPublic {
                curve,
                point: c.payload.to_vec(),
            },
            TagInfo::Ec(_, curve) => KeyFields::EcPrivate {
                curve,
                pad: field("pad").first().copied(),
                scalar: field("scalar"),
            },
            TagInfo::Rsa(KeyKind::RsaPublic, _) => KeyFields::RsaPublic {
                n: field("n"),
                e: e(),
            },
            TagInfo::Rsa(_, _) => KeyFields::RsaPrivate {
                numbers: RSA_PRIVATE_NUMBERS.map(field),
                e: e(),
            },
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        KeyContainer {
            tag: self.tag(),
            payload: self.payload(),
        }
        .encode(out);
    }
}

/// Parses and fully validates a key: container framing, tag, payload length, then the
/// numbers themselves (scalar in [1, n), point on the curve, consistent RSA numbers).
pub(crate) fn parse_key(bytes: &[u8]) -> Result<Key, ThemisError> {
    match KeyFields::read(bytes)? {
        KeyFields::EcPublic { curve, point } => {
            Ok(Key::EcPublic(EcPublic::from_bytes(curve, &point)?))
        }
        KeyFields::EcPrivate { curve, pad, scalar } => {
            // The 33-byte form is 00‖d; Themis reads the whole field as one integer, so a
            // non-zero pad byte means a scalar ≥ 2^256 > n.
            if pad.is_some_and(|p| p != 0) {
                return Err(ThemisError::KeyScalar);
            }
            Ok(Key::EcPrivate(EcSecret::from_bytes(curve, &scalar)?))
        }
        KeyFields::RsaPublic { n, e } => {
            let max_bits = n.len().saturating_mul(8);
            let (n, e) = rsa_public_numbers(&n, e)?;
            let key = RsaPublicKey::new_with_max_size(n, e, max_bits)
                .map_err(|_| ThemisError::KeyRsa("the modulus is not a valid RSA modulus"))?;
            Ok(Key::RsaPublic(key))
        }
        KeyFields::RsaPrivate { numbers, e } => {
            let [d, p, q, dp, dq, qp, n] = numbers;
            let (n, e) = rsa_public_numbers(&n, e)?;
            let num = |b: &[u8]| BigUint::from_bytes_be(b);
            let key = RsaPrivateKey::from_components(n, e, num(&d), vec![num(&p), num(&q)])
                .map_err(|_| ThemisError::KeyRsa("n ≠ p·q, or d is not the inverse of e"))?;
            // Themis hands its CRT values to the RSA engine as they are; wrong ones would make
            // bad signatures, so they must be the ones the primes imply.
            let dp_ok = key.dp() == Some(&num(&dp));
            let dq_ok = key.dq() == Some(&num(&dq));
            let qp_ok = key.crt_coefficient().as_ref() == Some(&num(&qp));
            if !(dp_ok && dq_ok && qp_ok) {
                return Err(ThemisError::KeyRsa(CRT_MISMATCH));
            }
            Ok(Key::RsaPrivate(Box::new(key)))
        }
    }
}

/// The exponent check Themis makes on import, and the modulus filling its field.
fn rsa_public_numbers(n: &[u8], e: u32) -> Result<(BigUint, BigUint), ThemisError> {
    if !RSA_EXPONENTS.contains(&e) {
        return Err(ThemisError::KeyExponent(e));
    }
    // A k-byte field holds a k-byte modulus: Themis writes keys of exactly the tag's size.
    if n.first().copied().unwrap_or(0) == 0 {
        return Err(ThemisError::KeyRsa(
            "the modulus is shorter than the tag's size",
        ));
    }
    Ok((BigUint::from_bytes_be(n), BigUint::from(e)))
}

/// Why [`key_check`] refuses an RSA private key whose only defect is its CRT values: OpenSSL
/// checks the CRT result and falls back, so Themis on OpenSSL signs correctly with such a key
/// (the corpus's `RsaCrtUnchecked`).
pub const CRT_MISMATCH: &str = "dp, dq or qp does not match the primes";

/// Whether `key` is an EC public key container whose point is in X9.62's hybrid form: prefix
/// 06 or 07 whose low bit is y's, and a point on the curve. OpenSSL reads it; SEC1 2.0,
/// BoringSSL and the reference do not (the corpus's `HybridPoint`).
pub fn is_hybrid_ec_public(key: &[u8]) -> bool {
    let Ok(KeyFields::EcPublic { curve, point }) = KeyFields::read(key) else {
        return false;
    };
    let (Some(&prefix), Some(&last)) = (point.first(), point.last()) else {
        return false;
    };
    if !matches!(prefix, 6 | 7) || prefix & 1 != last & 1 {
        return false;
    }
    let mut uncompressed = point.clone();
    uncompressed[0] = 4;
    EcPublic::from_bytes(curve, &uncompressed).is_ok()
}

/// Validates a key completely and says what it is.
///
/// Stricter than Themis's own `themis_is_valid_asym_key`, which checks only the framing: this
/// also checks what Themis checks later, at import (scalar in [1, n), point on the curve,
/// e ∈ {3, 65537}), plus the consistency of RSA private numbers.
pub fn key_check(key: &[u8]) -> Result<KeyKind, ThemisError> {
    parse_key(key).map(|k| k.kind())
}

/// Big-endian, left-padded to `width`; `None` if the number does not fit.
fn be_fixed(n: &BigUint, width: usize) -> Option<Vec<u8>> {
    let raw = n.to_bytes_be();
    let pad = width.checked_sub(raw.len())?;
    let mut out = vec![0u8; pad];
    out.extend_from_slice(&raw);
    Some(out)
}

/// Writes an EC private key container the way Themis does: `00 ‖ d`.
pub(crate) fn write_ec_private(d: &EcSecret) -> Vec<u8> {
    KeyFields::EcPrivate {
        curve: d.curve(),
        pad: Some(0),
        scalar: d.to_bytes(),
    }
    .to_bytes()
}

/// Writes an EC public key container with a compressed point, as Themis keygen does.
pub(crate) fn write_ec_public(d: &EcSecret) -> Vec<u8> {
    KeyFields::EcPublic {
        curve: d.curve(),
        point: d.public_compressed(),
    }
    .to_bytes()
}

/// A new P-256 key pair in Themis's encoding: private `REC2` (45 bytes, `00 ‖ d`),
/// public `UEC2` (45 bytes, compressed point).
pub fn generate_ec_keypair(
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> (Vec<u8>, Vec<u8>) {
    generate_ec_keypair_on(Curve::P256, rng)
}

/// A new key pair on any curve a tag can name; Themis itself only generates P-256, but
/// imports the others.
pub fn generate_ec_keypair_on(
    curve: Curve,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> (Vec<u8>, Vec<u8>) {
    let d = EcSecret::random(curve, rng);
    (write_ec_private(&d), write_ec_public(&d))
}

/// A new RSA key pair (e = 65537) of 1024, 2048, 4096 or 8192 bits, as `RRAx`/`URAx` containers.
pub fn generate_rsa_keypair(
    bits: usize,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<(Vec<u8>, Vec<u8>), ThemisError> {
    generate_rsa_keypair_with_exponent(bits, 65537, rng)
}

/// A new RSA key pair with public exponent `e` (Themis imports 3 and 65537).
pub fn generate_rsa_keypair_with_exponent(
    bits: usize,
    e: u32,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<(Vec<u8>, Vec<u8>), ThemisError> {
    if rsa_digit(bits / 8).is_none() || bits % 8 != 0 {
        return Err(ThemisError::KeyGeneration(format!(
            "{bits}-bit RSA keys cannot be stored (1024, 2048, 4096 or 8192 only)"
        )));
    }
    let key = RsaPrivateKey::new_with_exp(&mut &mut *rng, bits, &BigUint::from(e))
        .map_err(|e| ThemisError::KeyGeneration(e.to_string()))?;
    write_rsa(&key, bits / 8).ok_or_else(|| {
        ThemisError::KeyGeneration("a generated number does not fit its field".into())
    })
}

/// The public key container of a private key: a compressed point for EC (as Themis writes),
/// `n || e` for RSA. A public key is returned as it is, once checked.
pub fn public_key_for(private_key: &[u8]) -> Result<Vec<u8>, ThemisError> {
    let key = parse_key(private_key)?;
    let missing = || ThemisError::KeyGeneration("the key does not fit a container".into());
    match key {
        Key::EcPrivate(d) => Ok(write_ec_public(&d)),
        Key::RsaPrivate(k) => write_rsa(&k, k.size())
            .map(|(_, public)| public)
            .ok_or_else(missing),
        Key::EcPublic(_) | Key::RsaPublic(_) => Ok(private_key.to_vec()),
    }
}

/// The RSA private key in a valid `RRAx` container, for signatures and wraps made outside
/// Secure Message (other paddings, other salts).
pub fn rsa_private_key(key: &[u8]) -> Result<RsaPrivateKey, ThemisError> {
    match parse_key(key)? {
        Key::RsaPrivate(k) => Ok(*k),
        other => Err(ThemisError::KeyKind {
            expected: "RSA private",
            got: other.kind(),
        }),
    }
}

/// The RSA public key in a valid `URAx` container.
pub fn rsa_public_key(key: &[u8]) -> Result<RsaPublicKey, ThemisError> {
    match parse_key(key)? {
        Key::RsaPublic(k) => Ok(k),
        other => Err(ThemisError::KeyKind {
            expected: "RSA public",
            got: other.kind(),
        }),
    }
}

/// The point of a valid EC public key container in the other SEC1 form (or the same).
pub fn ec_point(key: &[u8], compressed: bool) -> Result<Vec<u8>, ThemisError> {
    match parse_key(key)? {
        Key::EcPublic(q) => Ok(q.to_sec1(compressed)),
        other => Err(ThemisError::KeyKind {
            expected: "EC public",
            got: other.kind(),
        }),
    }
}

/// The raw static ECDH secret of a private and a public key container (Secure Message's EC
/// master key), for cells built outside Secure Message.
pub fn ecdh(private_key: &[u8], public_key: &[u8]) -> Result<Vec<u8>, ThemisError> {
    match (parse_key(private_key)?, parse_key(public_key)?) {
        (Key::EcPrivate(d), Key::EcPublic(q)) => d.ecdh(&q),
        _ => Err(ThemisError::KeyMismatch(
            "ECDH takes an EC private and an EC public key",
        )),
    }
}

/// ECDSA-SHA256 (RFC 6979, DER) of any message, the empty one too, which [`super::sign`]
/// refuses.
pub fn ecdsa_sign(private_key: &[u8], message: &[u8]) -> Result<Vec<u8>, ThemisError> {
    match parse_key(private_key)? {
        Key::EcPrivate(d) => Ok(d.sign(message)),
        other => Err(ThemisError::KeyKind {
            expected: "EC private",
            got: other.kind(),
        }),
    }
}

/// Both RSA containers for a key with a `k`-byte modulus field.
fn write_rsa(key: &RsaPrivateKey, k: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    rsa_digit(k)?;
    let h = k / 2;
    let [p, q] = key.primes() else { return None };
    let e = u32::from_be_bytes(be_fixed(key.e(), 4)?.try_into().ok()?);
    let n = be_fixed(key.n(), k)?;
    let numbers = [
        be_fixed(key.d(), k)?,
        be_fixed(p, h)?,
        be_fixed(q, h)?,
        be_fixed(key.dp()?, h)?,
        be_fixed(key.dq()?, h)?,
        be_fixed(&key.crt_coefficient()?, h)?,
        n.clone(),
    ];
    Some((
        KeyFields::RsaPrivate { numbers, e }.to_bytes(),
        KeyFields::RsaPublic { n, e }.to_bytes(),
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::Stage;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use std::sync::OnceLock;

    /// One 1024-bit RSA pair for all tests (keygen is the slow part).
    pub(crate) fn rsa_pair() -> &'static (Vec<u8>, Vec<u8>) {
        static PAIR: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
        PAIR.get_or_init(|| generate_rsa_keypair(1024, &mut ChaCha20Rng::seed_from_u64(1)).unwrap())
    }

    /// A second, unrelated 1024-bit RSA pair.
    pub(crate) fn rsa_pair2() -> &'static (Vec<u8>, Vec<u8>) {
        static PAIR: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
        PAIR.get_or_init(|| generate_rsa_keypair(1024, &mut ChaCha20Rng::seed_from_u64(2)).unwrap())
    }

    /// Rewrites a container's CRC after an edit, so tests reach the check behind it.
    pub(crate) fn fix_crc(key: &mut [u8]) {
        let crc = container::checksum(key);
        key[8..12].copy_from_slice(&crc.to_le_bytes());
    }

    #[test]
    fn ec_keygen_writes_what_themis_writes() {
        let (private, public) = generate_ec_keypair(&mut ChaCha20Rng::seed_from_u64(7));
        assert_eq!(private.len(), 45);
        assert_eq!(public.len(), 45);
        assert_eq!(&private[..8], b"REC2\0\0\0\x2d");
        assert_eq!(
            private[12], 0,
            "the scalar is left-padded with one zero byte"
        );
        assert_eq!(&public[..8], b"UEC2\0\0\0\x2d");
        assert!(matches!(public[12], 2 | 3));
        assert_eq!(key_check(&private), Ok(KeyKind::EcPrivate));
        assert_eq!(key_check(&public), Ok(KeyKind::EcPublic));
    }

    #[test]
    fn rsa_keygen_round_trips() {
        let (private, public) = rsa_pair();
        assert_eq!(private.len(), 592);
        assert_eq!(public.len(), 144);
        assert_eq!(&public[..4], b"URA1");
        assert_eq!(&public[140..], &65537u32.to_be_bytes());
        assert_eq!(key_check(private), Ok(KeyKind::RsaPrivate));
        assert_eq!(key_check(public), Ok(KeyKind::RsaPublic));
        assert!(generate_rsa_keypair(1000, &mut ChaCha20Rng::seed_from_u64(0)).is_err());
    }

    #[test]
    fn key_errors_have_the_key_stage() {
        let (private, public) = generate_ec_keypair(&mut ChaCha20Rng::seed_from_u64(3));
        let mut cases: Vec<(Vec<u8>, &str)> = Vec::new();
        let mut t = private.clone();
        t[0] = b'X';
        fix_crc(&mut t);
        cases.push((t, "unknown tag"));
        let mut t = private.clone();
        t[3] = b'3';
        fix_crc(&mut t);
        cases.push((t, "REC3 with a P-256 payload"));
        let mut t = private.clone();
        t[12] = 1;
        fix_crc(&mut t);
        cases.push((t, "non-zero pad byte"));
        let mut t = private.clone();
        t[13..].fill(0);
        fix_crc(&mut t);
        cases.push((t, "zero scalar"));
        let mut t = public.clone();
        t[12] = 5;
        fix_crc(&mut t);
        cases.push((t, "prefix 05"));
        let mut t = public.clone();
        t[13..].fill(0xff);
        fix_crc(&mut t);
        cases.push((t, "x off the curve"));
        let mut t = private.clone();
        t[20] ^= 1;
        cases.push((t, "CRC mismatch"));
        cases.push((private[..44].to_vec(), "truncated"));
        cases.push((vec![], "empty"));
        let mut t = rsa_pair().1.clone();
        t[143] = 5;
        fix_crc(&mut t);
        cases.push((t, "e = 65541"));
        let mut t = rsa_pair().0.clone();
        t[12 + 128 + 64 * 2] ^= 1; // dp
        fix_crc(&mut t);
        cases.push((t, "bad dp"));
        let mut t = rsa_pair().0.clone();
        t[12 + 5] ^= 1; // d
        fix_crc(&mut t);
        cases.push((t, "bad d"));
        for (key, what) in cases {
            let err = key_check(&key).expect_err(what);
            assert_eq!(err.stage(), Stage::Key, "{what}: {err}");
        }
    }

    #[test]
    fn key_fields_codec_round_trips() {
        let upstream: serde_json::Value = serde_json::from_str(include_str!(
            "../../vectors/upstream/themis-upstream-vectors.json"
        ))
        .unwrap();
        let mut kinds = std::collections::BTreeSet::new();
        for k in upstream["key_fixtures"].as_array().unwrap() {
            let Some(text) = k["key"].as_str() else {
                continue;
            };
            let bytes = hex::decode(text).unwrap();
            if let Ok(fields) = KeyFields::read(&bytes) {
                assert_eq!(fields.to_bytes(), bytes, "{}", k["id"]);
                kinds.insert(format!("{:?}", fields.tag()));
            }
        }
        assert!(kinds.len() >= 6, "{kinds:?}");
        let (private, public) = rsa_pair();
        for key in [private, public] {
            let fields = KeyFields::read(key).unwrap();
            assert_eq!(KeyFields::read(&fields.to_bytes()).unwrap(), fields);
        }
        let scalar = KeyFields::EcPrivate {
            curve: Curve::P384,
            pad: None,
            scalar: vec![7; 48],
        };
        assert_eq!(KeyFields::read(&scalar.to_bytes()).unwrap(), scalar);
        assert_eq!(&scalar.to_bytes()[..4], b"REC3");
    }

    #[test]
    fn thirty_two_byte_scalar_and_uncompressed_point_are_accepted() {
        let (private, _) = generate_ec_keypair(&mut ChaCha20Rng::seed_from_u64(4));
        let short = container::write(*b"REC2", &private[13..]).unwrap();
        assert_eq!(short.len(), 44);
        assert_eq!(key_check(&short), Ok(KeyKind::EcPrivate));
        // The uncompressed form of the integration-test key (77 bytes) is also upstream data;
        // here: re-encode our own public point uncompressed.
        let Key::EcPrivate(EcSecret::P256(d)) = parse_key(&private).unwrap() else {
            panic!()
        };
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let point = p256::PublicKey::from_secret_scalar(&d).to_encoded_point(false);
        let long = container::write(*b"UEC2", point.as_bytes()).unwrap();
        assert_eq!(long.len(), 77);
        assert_eq!(key_check(&long), Ok(KeyKind::EcPublic));
    }
}
