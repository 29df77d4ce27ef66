//! EC arithmetic for Secure Message: ECDSA-SHA256 with DER signatures, static ECDH (spec §1.3, §3.2, §4.1).
//!
//! Themis hashes with SHA-256 on every curve. The `ecdsa` crate's RFC 6979 helper insists on
//! a digest as wide as the field (so it refuses SHA-256 for P-384 and P-521), hence the nonce
//! is derived here by RFC 6979 §3.2 with HMAC-SHA256 and any curve width, and the signature
//! itself is made and checked by the crate's hazmat primitives.

use super::error::ThemisError;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The curves Themis keys can name (tag digit 2, 3, 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256, the only curve Themis generates.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
}

impl Curve {
    /// Width of a scalar or coordinate in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// Bit length of the group order (RFC 6979 `qlen`).
    fn order_bits(self) -> usize {
        match self {
            Curve::P256 => 256,
            Curve::P384 => 384,
            Curve::P521 => 521,
        }
    }

    /// Largest DER `SEQUENCE{INTEGER r, INTEGER s}` for this curve; equals OpenSSL's
    /// `EVP_PKEY_size`, the buffer old wrappers sent whole (spec §3.3).
    pub fn max_der_len(self) -> usize {
        match self {
            Curve::P256 => 72,
            Curve::P384 => 104,
            Curve::P521 => 141,
        }
    }

    /// The digit in the key container tag.
    pub fn tag_digit(self) -> u8 {
        match self {
            Curve::P256 => b'2',
            Curve::P384 => b'3',
            Curve::P521 => b'5',
        }
    }

    /// The curve a tag digit names.
    pub fn from_tag_digit(d: u8) -> Option<Curve> {
        match d {
            b'2' => Some(Curve::P256),
            b'3' => Some(Curve::P384),
            b'5' => Some(Curve::P521),
            _ => None,
        }
    }

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// The group order n, big-endian hex (SEC 2), for vectors that step just outside [1, n).
    pub fn order_hex(self) -> &'static str {
        match self {
            Curve::P256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            Curve::P384 => "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
            Curve::P521 => "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        }
    }

    /// The field prime p, big-endian hex (SEC 2), for coordinates just outside the field.
    pub fn prime_hex(self) -> &'static str {
        match self {
            Curve::P256 => "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            Curve::P384 => "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            Curve::P521 => "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        }
    }

    /// Every curve, in tag-digit order.
    pub const ALL: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];
}

/// The integer value of a SHA-256 digest, left-padded to the field width.
///
/// This is RFC 6979 `bits2int` for a digest no wider than the order (true on all three curves);
/// `bits2field` of the `ecdsa` crate would refuse a 32-byte digest for P-521.
fn digest_field(digest: &[u8; 32], width: usize) -> Vec<u8> {
    let mut z = vec![0u8; width.saturating_sub(digest.len())];
    z.extend_from_slice(digest);
    z
}

/// Shifts a big-endian integer right by `bits` (< 8) in place.
fn shift_right(bytes: &mut [u8], bits: u32) {
    if bits == 0 {
        return;
    }
    let mut carry = 0u8;
    for b in bytes.iter_mut() {
        let next = *b << (8 - bits);
        *b = (*b >> bits) | carry;
        carry = next;
    }
}

/// RFC 6979 §3.2 candidate stream with H = SHA-256: `x` and `h` are `rlen`-byte octet strings
/// (int2octets(x), bits2octets(h1)); `accept` turns `rlen` bytes into a scalar when in [1, q).
fn rfc6979_nonce<S>(
    curve: Curve,
    x: &[u8],
    h: &[u8],
    mut accept: impl FnMut(&[u8]) -> Option<S>,
) -> S {
    type H = Hmac<Sha256>;
    let mac = |key: &[u8], parts: &[&[u8]]| -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut m = <H as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().into()
    };
    let rlen = curve.field_len();
    let qlen = curve.order_bits();
    let mut v = [1u8; 32];
    let mut k = [0u8; 32];
    k = mac(&k, &[&v, &[0], x, h]);
    v = mac(&k, &[&v]);
    k = mac(&k, &[&v, &[1], x, h]);
    v = mac(&k, &[&v]);
    loop {
        let mut t = Vec::with_capacity(rlen + 32);
        while t.len() * 8 < qlen {
            v = mac(&k, &[&v]);
            t.extend_from_slice(&v);
        }
        // bits2int: the leftmost qlen bits of T, as an rlen-byte integer.
        t.truncate(rlen);
        let excess = rlen * 8 - qlen;
        shift_right(&mut t, u32::try_from(excess).unwrap_or(0));
        if let Some(s) = accept(&t) {
            return s;
        }
        k = mac(&k, &[&v, &[0]]);
        v = mac(&k, &[&v]);
    }
}

macro_rules! curve_impl {
    ($m:ident, $krate:ident, $ty:ident, $curve:expr) => {
        /// Operations on one curve, with its concrete types.
        pub(crate) mod $m {
            use super::{digest_field, rfc6979_nonce, Curve, ThemisError};
            use elliptic_curve::ops::Reduce;
            use elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
            use elliptic_curve::{Field, PrimeField};
            use $krate::{AffinePoint, EncodedPoint, FieldBytes, NonZeroScalar, Scalar};

            const CURVE: Curve = $curve;

            /// The private scalar from exactly `field_len` big-endian bytes; [1, n) enforced.
            pub fn secret(bytes: &[u8]) -> Result<NonZeroScalar, ThemisError> {
                if bytes.len() != CURVE.field_len() {
                    return Err(ThemisError::KeyScalar);
                }
                let repr = FieldBytes::clone_from_slice(bytes);
                Option::<NonZeroScalar>::from(NonZeroScalar::from_repr(repr))
                    .ok_or(ThemisError::KeyScalar)
            }

            /// A SEC1 point: compressed (02/03) or uncompressed (04) only, on the curve.
            pub fn public(bytes: &[u8]) -> Result<AffinePoint, ThemisError> {
                let f = CURVE.field_len();
                let ok_len = match bytes.first() {
                    Some(2) | Some(3) => bytes.len() == f + 1,
                    Some(4) => bytes.len() == 2 * f + 1,
                    _ => return Err(ThemisError::KeyPoint("the prefix is not 02, 03 or 04")),
                };
                if !ok_len {
                    return Err(ThemisError::KeyPoint(
                        "the length does not match the prefix",
                    ));
                }
                let ep = EncodedPoint::from_bytes(bytes)
                    .map_err(|_| ThemisError::KeyPoint("not a SEC1 encoding"))?;
                Option::<AffinePoint>::from(AffinePoint::from_encoded_point(&ep))
                    .ok_or(ThemisError::KeyPoint("not on the curve"))
            }

            /// The compressed public point of a scalar, as Themis keygen writes it.
            pub fn public_of(d: &NonZeroScalar) -> Vec<u8> {
                let q = $krate::PublicKey::from_secret_scalar(d);
                q.as_affine().to_encoded_point(true).as_bytes().to_vec()
            }

            /// The big-endian scalar bytes.
            pub fn secret_bytes(d: &NonZeroScalar) -> Vec<u8> {
                d.to_repr().to_vec()
            }

            /// The SEC1 encoding of a point, compressed or not.
            pub fn encode(q: &AffinePoint, compressed: bool) -> Vec<u8> {
                q.to_encoded_point(compressed).as_bytes().to_vec()
            }

            /// ECDSA over a SHA-256 digest with an RFC 6979 nonce; DER output.
            pub fn sign(d: &NonZeroScalar, digest: &[u8; 32]) -> Vec<u8> {
                let z = FieldBytes::clone_from_slice(&digest_field(digest, CURVE.field_len()));
                let x = d.to_repr();
                // bits2octets(h1) = int2octets(bits2int(h1) mod q).
                let h = <Scalar as Reduce<_>>::reduce_bytes(&z).to_repr();
                let mut attempt = |k: &[u8]| -> Option<Vec<u8>> {
                    let k = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::clone_from_slice(k)))?;
                    if bool::from(Field::is_zero(&k)) {
                        return None;
                    }
                    // Fails only if r or s is zero; RFC 6979 then moves to the next candidate.
                    let (sig, _) = ecdsa::hazmat::sign_prehashed::<$krate::$ty, Scalar>(d, k, &z).ok()?;
                    Some(sig.to_der().as_bytes().to_vec())
                };
                rfc6979_nonce(CURVE, &x, &h, &mut attempt)
            }

            /// Checks a DER signature over a SHA-256 digest; both high and low S verify.
            pub fn verify(q: &AffinePoint, digest: &[u8; 32], der: &[u8]) -> Result<(), ThemisError> {
                let sig = ecdsa::Signature::<$krate::$ty>::from_der(der)
                    .map_err(|_| ThemisError::SignatureEncoding("not a DER ECDSA signature with r, s in [1, n)"))?;
                let z = FieldBytes::clone_from_slice(&digest_field(digest, CURVE.field_len()));
                ecdsa::hazmat::verify_prehashed::<$krate::$ty>(&$krate::ProjectivePoint::from(*q), &z, &sig)
                    .map_err(|_| ThemisError::SignatureMismatch)
            }

            /// Static ECDH: the raw X coordinate of d·Q.
            pub fn ecdh(d: &NonZeroScalar, q: &AffinePoint) -> Vec<u8> {
                let shared = elliptic_curve::ecdh::diffie_hellman(d, q);
                shared.raw_secret_bytes().to_vec()
            }
        }
    };
}

curve_impl!(p256c, p256, NistP256, Curve::P256);
curve_impl!(p384c, p384, NistP384, Curve::P384);
curve_impl!(p521c, p521, NistP521, Curve::P521);

/// A validated EC private scalar on one of the three curves.
#[derive(Clone)]
pub enum EcSecret {
    /// P-256.
    P256(p256::NonZeroScalar),
    /// P-384.
    P384(p384::NonZeroScalar),
    /// P-521.
    P521(p521::NonZeroScalar),
}

impl std::fmt::Debug for EcSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        write!(f, "EcSecret({})", self.curve().name())
    }
}

/// A validated EC public point on one of the three curves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcPublic {
    /// P-256.
    P256(p256::AffinePoint),
    /// P-384.
    P384(p384::AffinePoint),
    /// P-521.
    P521(p521::AffinePoint),
}

impl EcSecret {
    /// Parses a big-endian scalar of exactly the field width.
    pub fn from_bytes(curve: Curve, bytes: &[u8]) -> Result<Self, ThemisError> {
        Ok(match curve {
            Curve::P256 => EcSecret::P256(p256c::secret(bytes)?),
            Curve::P384 => EcSecret::P384(p384c::secret(bytes)?),
            Curve::P521 => EcSecret::P521(p521c::secret(bytes)?),
        })
    }

    /// A random scalar; Themis generates keys on P-256 only.
    pub fn random(curve: Curve, rng: &mut (impl rand_core::CryptoRngCore + ?Sized)) -> Self {
        let mut rng = &mut *rng;
        match curve {
            Curve::P256 => EcSecret::P256(p256::NonZeroScalar::random(&mut rng)),
            Curve::P384 => EcSecret::P384(p384::NonZeroScalar::random(&mut rng)),
            Curve::P521 => EcSecret::P521(p521::NonZeroScalar::random(&mut rng)),
        }
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        match self {
            EcSecret::P256(_) => Curve::P256,
            EcSecret::P384(_) => Curve::P384,
            EcSecret::P521(_) => Curve::P521,
        }
    }

    /// The big-endian scalar, field width.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            EcSecret::P256(d) => p256c::secret_bytes(d),
            EcSecret::P384(d) => p384c::secret_bytes(d),
            EcSecret::P521(d) => p521c::secret_bytes(d),
        }
    }

    /// The compressed SEC1 public point.
    pub fn public_compressed(&self) -> Vec<u8> {
        match self {
            EcSecret::P256(d) => p256c::public_of(d),
            EcSecret::P384(d) => p384c::public_of(d),
            EcSecret::P521(d) => p521c::public_of(d),
        }
    }

    /// ECDSA-SHA256 of `message`, DER, deterministic (RFC 6979).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let digest: [u8; 32] = Sha256::digest(message).into();
        match self {
            EcSecret::P256(d) => p256c::sign(d, &digest),
            EcSecret::P384(d) => p384c::sign(d, &digest),
            EcSecret::P521(d) => p521c::sign(d, &digest),
        }
    }

    /// Static ECDH with a peer point on the same curve: the raw X coordinate.
    pub fn ecdh(&self, peer: &EcPublic) -> Result<Vec<u8>, ThemisError> {
        match (self, peer) {
            (EcSecret::P256(d), EcPublic::P256(q)) => Ok(p256c::ecdh(d, q)),
            (EcSecret::P384(d), EcPublic::P384(q)) => Ok(p384c::ecdh(d, q)),
            (EcSecret::P521(d), EcPublic::P521(q)) => Ok(p521c::ecdh(d, q)),
            _ => Err(ThemisError::KeyMismatch(
                "the two EC keys are on different curves",
            )),
        }
    }
}

impl EcPublic {
    /// Parses a compressed or uncompressed SEC1 point.
    pub fn from_bytes(curve: Curve, bytes: &[u8]) -> Result<Self, ThemisError> {
        Ok(match curve {
            Curve::P256 => EcPublic::P256(p256c::public(bytes)?),
            Curve::P384 => EcPublic::P384(p384c::public(bytes)?),
            Curve::P521 => EcPublic::P521(p521c::public(bytes)?),
        })
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        match self {
            EcPublic::P256(_) => Curve::P256,
            EcPublic::P384(_) => Curve::P384,
            EcPublic::P521(_) => Curve::P521,
        }
    }

    /// The SEC1 encoding, compressed (as Themis writes) or uncompressed.
    pub fn to_sec1(&self, compressed: bool) -> Vec<u8> {
        match self {
            EcPublic::P256(q) => p256c::encode(q, compressed),
            EcPublic::P384(q) => p384c::encode(q, compressed),
            EcPublic::P521(q) => p521c::encode(q, compressed),
        }
    }

    /// Checks an ECDSA-SHA256 DER signature over `message`.
    pub fn verify(&self, message: &[u8], der: &[u8]) -> Result<(), ThemisError> {
        let digest: [u8; 32] = Sha256::digest(message).into();
        match self {
            EcPublic::P256(q) => p256c::verify(q, &digest, der),
            EcPublic::P384(q) => p384c::verify(q, &digest, der),
            EcPublic::P521(q) => p521c::verify(q, &digest, der),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::PrimeField;

    fn sample_digest() -> [u8; 32] {
        Sha256::digest(b"sample").into()
    }

    /// RFC 6979 A.2.5 (P-256, SHA-256, "sample"): our nonce derivation must give its signature.
    #[test]
    fn rfc6979_p256_sample() {
        let x = hex::decode("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
            .unwrap();
        let d = EcSecret::from_bytes(Curve::P256, &x).unwrap();
        let der = d.sign(b"sample");
        let sig = ecdsa::Signature::<p256::NistP256>::from_der(&der).unwrap();
        assert_eq!(
            hex::encode_upper(sig.r().to_repr()),
            "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
        );
        assert_eq!(
            hex::encode_upper(sig.s().to_repr()),
            "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
        );
        // And it agrees with the ecdsa crate's own RFC 6979 path (which works for P-256 only).
        use ecdsa::hazmat::SignPrimitive;
        let EcSecret::P256(nz) = &d else { panic!() };
        let z = p256::FieldBytes::clone_from_slice(&sample_digest());
        let (theirs, _) = nz.try_sign_prehashed_rfc6979::<Sha256>(&z, &[]).unwrap();
        assert_eq!(theirs.to_der().as_bytes(), &der[..]);
    }

    /// RFC 6979 A.2.6 (P-384 with SHA-256, "sample").
    #[test]
    fn rfc6979_p384_sha256_sample() {
        let x = hex::decode("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5").unwrap();
        let d = EcSecret::from_bytes(Curve::P384, &x).unwrap();
        let der = d.sign(b"sample");
        let sig = ecdsa::Signature::<p384::NistP384>::from_der(&der).unwrap();
        assert_eq!(
            hex::encode_upper(sig.r().to_repr()),
            "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD"
        );
    }

    /// RFC 6979 A.2.7 (P-521 with SHA-256, "sample"): the case the crate cannot do.
    #[test]
    fn rfc6979_p521_sha256_sample() {
        let x = hex::decode("00FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538").unwrap();
        let d = EcSecret::from_bytes(Curve::P521, &x).unwrap();
        let der = d.sign(b"sample");
        let sig = ecdsa::Signature::<p521::NistP521>::from_der(&der).unwrap();
        assert_eq!(
            hex::encode_upper(sig.r().to_repr()),
            "01511BB4D675114FE266FC4372B87682BAECC01D3CC62CF2303C92B3526012659D16876E25C7C1E57648F23B73564D67F61C6F14D527D54972810421E7D87589E1A7"
        );
        let q = EcPublic::from_bytes(Curve::P521, &d.public_compressed()).unwrap();
        q.verify(b"sample", &der).unwrap();
        assert_eq!(
            q.verify(b"sampl", &der),
            Err(ThemisError::SignatureMismatch)
        );
    }

    #[test]
    fn high_s_verifies_and_raw_rs_does_not() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let mut x = vec![0u8; curve.field_len()];
            x[curve.field_len() - 1] = 7;
            let d = EcSecret::from_bytes(curve, &x).unwrap();
            let q = EcPublic::from_bytes(curve, &d.public_compressed()).unwrap();
            let der = d.sign(b"msg");
            q.verify(b"msg", &der).unwrap();
            let flipped = match curve {
                Curve::P256 => {
                    let s = ecdsa::Signature::<p256::NistP256>::from_der(&der).unwrap();
                    let (r, s) = s.split_scalars();
                    let neg = ecdsa::Signature::<p256::NistP256>::from_scalars(
                        r.to_repr(),
                        (-*s).to_repr(),
                    )
                    .unwrap();
                    let raw = s_raw(
                        &ecdsa::Signature::<p256::NistP256>::from_der(&der)
                            .unwrap()
                            .to_bytes(),
                    );
                    assert!(matches!(
                        q.verify(b"msg", &raw),
                        Err(ThemisError::SignatureEncoding(_))
                    ));
                    neg.to_der().as_bytes().to_vec()
                }
                Curve::P384 => {
                    let (r, s) = ecdsa::Signature::<p384::NistP384>::from_der(&der)
                        .unwrap()
                        .split_scalars();
                    ecdsa::Signature::<p384::NistP384>::from_scalars(r.to_repr(), (-*s).to_repr())
                        .unwrap()
                        .to_der()
                        .as_bytes()
                        .to_vec()
                }
                Curve::P521 => {
                    let (r, s) = ecdsa::Signature::<p521::NistP521>::from_der(&der)
                        .unwrap()
                        .split_scalars();
                    ecdsa::Signature::<p521::NistP521>::from_scalars(r.to_repr(), (-*s).to_repr())
                        .unwrap()
                        .to_der()
                        .as_bytes()
                        .to_vec()
                }
            };
            assert_ne!(flipped, der);
            q.verify(b"msg", &flipped).unwrap();
        }
    }

    #[test]
    fn der_must_be_strict() {
        let d = EcSecret::from_bytes(Curve::P256, &[3u8; 32]).unwrap();
        let q = EcPublic::from_bytes(Curve::P256, &d.public_compressed()).unwrap();
        let der = d.sign(b"m");
        q.verify(b"m", &der).unwrap();
        // r with a superfluous leading zero (non-minimal INTEGER), lengths adjusted.
        let r_len = usize::from(der[3]);
        let mut padded = vec![0x30, der[1] + 1, 0x02, der[3] + 1, 0x00];
        padded.extend_from_slice(&der[4..]);
        assert_eq!(padded.len(), der.len() + 1);
        assert!(r_len > 0);
        assert!(matches!(
            q.verify(b"m", &padded),
            Err(ThemisError::SignatureEncoding(_))
        ));
        // Long-form SEQUENCE length where the short form fits (BER, not DER).
        let mut long = vec![0x30, 0x81, der[1]];
        long.extend_from_slice(&der[2..]);
        assert!(matches!(
            q.verify(b"m", &long),
            Err(ThemisError::SignatureEncoding(_))
        ));
        // Trailing bytes inside the signature field.
        let mut trailing = der.clone();
        trailing.extend_from_slice(&[0, 0]);
        assert!(matches!(
            q.verify(b"m", &trailing),
            Err(ThemisError::SignatureEncoding(_))
        ));
    }

    fn s_raw(b: &[u8]) -> Vec<u8> {
        b.to_vec()
    }

    #[test]
    fn curve_orders_are_the_crates() {
        use elliptic_curve::bigint::ArrayEncoding;
        let orders = [
            hex::encode(<p256::NistP256 as elliptic_curve::Curve>::ORDER.to_be_byte_array()),
            hex::encode(<p384::NistP384 as elliptic_curve::Curve>::ORDER.to_be_byte_array()),
            hex::encode(<p521::NistP521 as elliptic_curve::Curve>::ORDER.to_be_byte_array()),
        ];
        for (curve, order) in Curve::ALL.into_iter().zip(orders) {
            // The crates store P-521's order in 72 bytes.
            assert!(order.ends_with(curve.order_hex()), "{}", curve.name());
            assert_eq!(curve.order_hex().len(), curve.field_len() * 2);
            assert_eq!(curve.prime_hex().len(), curve.field_len() * 2);
            assert!(
                curve.prime_hex() > curve.order_hex(),
                "p > n for these curves"
            );
        }
    }

    #[test]
    fn sec1_encodings_round_trip() {
        for curve in Curve::ALL {
            let mut x = vec![0u8; curve.field_len()];
            x[curve.field_len() - 1] = 9;
            let d = EcSecret::from_bytes(curve, &x).unwrap();
            let q = EcPublic::from_bytes(curve, &d.public_compressed()).unwrap();
            assert_eq!(q.to_sec1(true), d.public_compressed());
            let long = q.to_sec1(false);
            assert_eq!(long.len(), 2 * curve.field_len() + 1);
            assert_eq!(EcPublic::from_bytes(curve, &long).unwrap(), q);
        }
    }

    #[test]
    fn point_prefixes() {
        let d = EcSecret::from_bytes(Curve::P256, &[5u8; 32]).unwrap();
        let comp = d.public_compressed();
        let EcPublic::P256(q) = EcPublic::from_bytes(Curve::P256, &comp).unwrap() else {
            panic!()
        };
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let unc = q.to_encoded_point(false).as_bytes().to_vec();
        assert!(EcPublic::from_bytes(Curve::P256, &unc).is_ok());
        for prefix in [0u8, 1, 5, 6, 7] {
            let mut h = unc.clone();
            h[0] = prefix;
            assert!(
                matches!(
                    EcPublic::from_bytes(Curve::P256, &h),
                    Err(ThemisError::KeyPoint(_))
                ),
                "{prefix}"
            );
        }
        let mut off = unc.clone();
        off[64] ^= 1;
        assert_eq!(
            EcPublic::from_bytes(Curve::P256, &off),
            Err(ThemisError::KeyPoint("not on the curve"))
        );
        assert!(matches!(
            EcSecret::from_bytes(Curve::P256, &[0u8; 32]),
            Err(ThemisError::KeyScalar)
        ));
        assert!(matches!(
            EcSecret::from_bytes(Curve::P256, &[0xffu8; 32]),
            Err(ThemisError::KeyScalar)
        ));
    }
}
