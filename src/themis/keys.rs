//! Themis key containers: EC P-256/384/521 and RSA 1024-8192, parse, check, write, generate (spec §1.3-1.4).

use super::container;
use super::ec::{Curve, EcPublic, EcSecret};
use super::error::ThemisError;
use super::kind::KeyKind;
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
            if len == f + 1 {
                Some(vec![("point (compressed)", 0..len)])
            } else if len == 2 * f + 1 {
                Some(vec![("point (uncompressed)", 0..len)])
            } else {
                None
            }
        }
        TagInfo::Ec(_, cv) => {
            let f = cv.field_len();
            if len == f + 1 {
                Some(vec![("pad", 0..1), ("scalar d", 1..len)])
            } else if len == f {
                Some(vec![("scalar d", 0..len)])
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

/// Parses and fully validates a key: container framing, tag, payload length, then the
/// numbers themselves (scalar in [1, n), point on the curve, consistent RSA numbers).
pub(crate) fn parse_key(bytes: &[u8]) -> Result<Key, ThemisError> {
    let c = container::parse(bytes)?;
    let info = tag_info(c.tag).ok_or_else(|| ThemisError::KeyTag {
        tag: String::from_utf8_lossy(&c.tag).into_owned(),
    })?;
    let fields = payload_layout(info, c.payload.len()).ok_or_else(|| ThemisError::KeyPayload {
        tag: String::from_utf8_lossy(&c.tag).into_owned(),
        len: c.payload.len(),
    })?;
    let field = |name: &str| -> &[u8] {
        fields
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, r)| c.payload.get(r.clone()))
            .unwrap_or(&[])
    };
    match info {
        TagInfo::Ec(KeyKind::EcPublic, cv) => {
            Ok(Key::EcPublic(EcPublic::from_bytes(cv, c.payload)?))
        }
        TagInfo::Ec(_, cv) => {
            // The 33-byte form is 00‖d; Themis reads the whole field as one integer, so a
            // non-zero pad byte means a scalar ≥ 2^256 > n.
            if fields.iter().any(|(n, _)| *n == "pad") && c.payload.first() != Some(&0) {
                return Err(ThemisError::KeyScalar);
            }
            Ok(Key::EcPrivate(EcSecret::from_bytes(cv, field("scalar d"))?))
        }
        TagInfo::Rsa(kind, k) => parse_rsa(kind, k, &field),
    }
}

fn parse_rsa<'a>(
    kind: KeyKind,
    k: usize,
    field: &dyn Fn(&str) -> &'a [u8],
) -> Result<Key, ThemisError> {
    let e_bytes: [u8; 4] = field("e")
        .try_into()
        .map_err(|_| ThemisError::KeyRsa("no exponent"))?;
    let e = u32::from_be_bytes(e_bytes);
    if !RSA_EXPONENTS.contains(&e) {
        return Err(ThemisError::KeyExponent(e));
    }
    let n_bytes = field("n");
    // A k-byte field holds a k-byte modulus: Themis writes keys of exactly the tag's size.
    if n_bytes.first().copied().unwrap_or(0) == 0 {
        return Err(ThemisError::KeyRsa(
            "the modulus is shorter than the tag's size",
        ));
    }
    let n = BigUint::from_bytes_be(n_bytes);
    let e = BigUint::from(e);
    let max_bits = k.saturating_mul(8);
    if kind == KeyKind::RsaPublic {
        let key = RsaPublicKey::new_with_max_size(n, e, max_bits)
            .map_err(|_| ThemisError::KeyRsa("the modulus is not a valid RSA modulus"))?;
        return Ok(Key::RsaPublic(key));
    }
    let num = |name| BigUint::from_bytes_be(field(name));
    let key = RsaPrivateKey::from_components(n, e, num("d"), vec![num("p"), num("q")])
        .map_err(|_| ThemisError::KeyRsa("n ≠ p·q, or d is not the inverse of e"))?;
    // Themis hands its CRT values to the RSA engine as they are; wrong ones would make
    // bad signatures, so they must be the ones the primes imply.
    let dp_ok = key.dp() == Some(&num("dp"));
    let dq_ok = key.dq() == Some(&num("dq"));
    let qp_ok = key.crt_coefficient().as_ref() == Some(&num("qp"));
    if !(dp_ok && dq_ok && qp_ok) {
        return Err(ThemisError::KeyRsa(
            "dp, dq or qp does not match the primes",
        ));
    }
    Ok(Key::RsaPrivate(Box::new(key)))
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
    let curve = d.curve();
    let mut payload = vec![0u8];
    payload.extend_from_slice(&d.to_bytes());
    // A few dozen bytes always fit a u32 size.
    container::write([b'R', b'E', b'C', curve.tag_digit()], &payload).unwrap_or_default()
}

/// Writes an EC public key container with a compressed point, as Themis keygen does.
pub(crate) fn write_ec_public(d: &EcSecret) -> Vec<u8> {
    let curve = d.curve();
    container::write(
        [b'U', b'E', b'C', curve.tag_digit()],
        &d.public_compressed(),
    )
    .unwrap_or_default()
}

/// A new P-256 key pair in Themis's encoding: private `REC2` (45 bytes, `00 ‖ d`),
/// public `UEC2` (45 bytes, compressed point).
pub fn generate_ec_keypair(
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> (Vec<u8>, Vec<u8>) {
    let d = EcSecret::random_p256(rng);
    (write_ec_private(&d), write_ec_public(&d))
}

/// A new RSA key pair (e = 65537) of 1024, 2048, 4096 or 8192 bits, as `RRAx`/`URAx` containers.
pub fn generate_rsa_keypair(
    bits: usize,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<(Vec<u8>, Vec<u8>), ThemisError> {
    let digit = match bits {
        1024 => b'1',
        2048 => b'2',
        4096 => b'4',
        8192 => b'8',
        _ => {
            return Err(ThemisError::KeyGeneration(format!(
                "{bits}-bit RSA keys cannot be stored (1024, 2048, 4096 or 8192 only)"
            )))
        }
    };
    let key = RsaPrivateKey::new_with_exp(&mut &mut *rng, bits, &BigUint::from(65537u32))
        .map_err(|e| ThemisError::KeyGeneration(e.to_string()))?;
    let (private, public) = write_rsa(&key, digit).ok_or_else(|| {
        ThemisError::KeyGeneration("a generated number does not fit its field".into())
    })?;
    Ok((private, public))
}

/// The public key container of a private key: a compressed point for EC (as Themis writes),
/// `n || e` for RSA. A public key is returned as it is, once checked.
pub fn public_key_for(private_key: &[u8]) -> Result<Vec<u8>, ThemisError> {
    let key = parse_key(private_key)?;
    let missing = || ThemisError::KeyGeneration("the key does not fit a container".into());
    match key {
        Key::EcPrivate(d) => Ok(write_ec_public(&d)),
        Key::RsaPrivate(k) => {
            let digit = private_key.get(3).copied().ok_or_else(missing)?;
            write_rsa(&k, digit)
                .map(|(_, public)| public)
                .ok_or_else(missing)
        }
        Key::EcPublic(_) | Key::RsaPublic(_) => Ok(private_key.to_vec()),
    }
}

/// Both RSA containers for a key.
fn write_rsa(key: &RsaPrivateKey, digit: u8) -> Option<(Vec<u8>, Vec<u8>)> {
    let k = rsa_len(digit)?;
    let h = k / 2;
    let [p, q] = key.primes() else { return None };
    let e: [u8; 4] = be_fixed(key.e(), 4)?.try_into().ok()?;
    let n = be_fixed(key.n(), k)?;
    let mut public = n.clone();
    public.extend_from_slice(&e);
    let mut private = be_fixed(key.d(), k)?;
    for part in [p, q, key.dp()?, key.dq()?, &key.crt_coefficient()?] {
        private.extend_from_slice(&be_fixed(part, h)?);
    }
    private.extend_from_slice(&n);
    private.extend_from_slice(&e);
    Some((
        container::write([b'R', b'R', b'A', digit], &private)?,
        container::write([b'U', b'R', b'A', digit], &public)?,
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
