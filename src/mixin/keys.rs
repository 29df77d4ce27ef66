//! Key conversions and the raw X25519 agreement (docs/mixin-encrypted-message.md, "Keys").

use super::MixinError;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::clamp_integer;
use ed25519_dalek::SigningKey;
use x25519_dalek::{PublicKey, StaticSecret};

/// Reads a 32-byte ed25519 seed (the form Mixin session private keys take).
pub fn seed(bytes: &[u8]) -> Result<[u8; 32], MixinError> {
    bytes
        .try_into()
        .map_err(|_| MixinError::PrivateKeyLength(bytes.len()))
}

/// Reads a 32-byte public key, naming whose it is in the error.
pub fn public_key(bytes: &[u8], role: &'static str) -> Result<[u8; 32], MixinError> {
    bytes.try_into().map_err(|_| MixinError::PublicKeyLength {
        role,
        len: bytes.len(),
    })
}

/// ed25519 seed → X25519 private key: the clamped first half of SHA-512(seed), exactly as
/// every Mixin SDK and libsodium's `crypto_sign_ed25519_sk_to_curve25519` compute it.
pub fn private_to_x25519(seed: &[u8; 32]) -> [u8; 32] {
    clamp_integer(SigningKey::from_bytes(seed).to_scalar_bytes())
}

/// The ed25519 public key of a seed; the sender's header key is derived from it.
pub fn ed25519_public(seed: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

/// ed25519 public key → X25519 (Montgomery u) public key, u = (1 + y) / (1 − y).
///
/// Strict, as libsodium's `crypto_sign_ed25519_pk_to_curve25519` (iOS, PyPI mixinsdk git):
/// the key must be RFC 8032's canonical encoding (y < p; x = 0 only with the sign bit clear),
/// of a point that is not of small order and lies in the prime-order subgroup. Go's
/// edwards25519 converts all of those too; the corpus marks them acceptable.
pub fn public_to_x25519(ed_public: &[u8; 32]) -> Result<[u8; 32], MixinError> {
    let point = CompressedEdwardsY(*ed_public)
        .decompress()
        .ok_or(MixinError::InvalidEdwardsPoint)?;
    if point.compress().0 != *ed_public {
        return Err(MixinError::RefusedEdwardsPoint(
            "not the canonical encoding (y >= p, or x = 0 with the sign bit set)",
        ));
    }
    if point.is_small_order() {
        return Err(MixinError::RefusedEdwardsPoint("a point of small order"));
    }
    if !point.is_torsion_free() {
        return Err(MixinError::RefusedEdwardsPoint(
            "not in the prime-order subgroup",
        ));
    }
    Ok(point.to_montgomery().to_bytes())
}

/// Whether 32 bytes decode to an edwards25519 point at all (canonical or not, of any order):
/// what the lenient conversions (Go's edwards25519) take.
pub fn is_edwards_point(bytes: &[u8; 32]) -> bool {
    CompressedEdwardsY(*bytes).decompress().is_some()
}

/// The X25519 public key of an X25519 private key.
pub fn x25519_base(private: &[u8; 32]) -> [u8; 32] {
    PublicKey::from(&StaticSecret::from(*private)).to_bytes()
}

/// Raw X25519 agreement; the 32-byte secret is used directly as an AES-256 key.
///
/// An all-zero result (a low-order peer point) is an error, as in Go's `curve25519.X25519`.
pub fn agree(
    private: &[u8; 32],
    peer: &[u8; 32],
    role: &'static str,
) -> Result<[u8; 32], MixinError> {
    let shared = StaticSecret::from(*private).diffie_hellman(&PublicKey::from(*peer));
    if shared.was_contributory() {
        Ok(shared.to_bytes())
    } else {
        Err(MixinError::LowOrderPoint(role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// mixin_bot_sdk_dart / android-app "test curve25519 conversion" (vectors/upstream).
    #[test]
    fn upstream_conversion_vector() {
        let seed = h32("7e3349801e05ecf41b7f1a9631fab3fc6b245e76e74fe6af4ad9a33da2d6eb9c");
        let public = h32("93c113c960c8d8f81336319696a7294b57f21cc799d906e054a9d250baca80c9");
        assert_eq!(ed25519_public(&seed), public);
        assert_eq!(
            hex::encode(private_to_x25519(&seed)),
            "e817a4a8d49ffa7930f4fc0db76452a2db6a0aab1ef01fd05bc90fb388c0d257"
        );
        assert_eq!(
            hex::encode(public_to_x25519(&public).unwrap()),
            "9f80a9608a1df2d1f8fa019485c26bed9a122832333a51d5c898087e078c062f"
        );
        // Both conversions land on the same X25519 key pair.
        assert_eq!(
            x25519_base(&private_to_x25519(&seed)),
            public_to_x25519(&public).unwrap()
        );
    }

    /// flutter-app `calculateAgreementTest` (vectors/upstream).
    #[test]
    fn upstream_agreement_vector() {
        let b64 = |s| crate::wire::from_base64_any(s).unwrap().try_into().unwrap();
        let private: [u8; 32] = b64("IFxd7LKqNc+NBVhFYqGOyN67J9XXqOzmFu4wBd3YgX0=");
        let public: [u8; 32] = b64("MZqwdh6zq6KKfQU6YozSQ4jtAws5UPOJNPSwEBvWUw0=");
        let expected: [u8; 32] = b64("njmQdTN33L/7ZsKuCyPmKu9Q8ywwwpfgSuvT4t8aXQw=");
        assert_eq!(agree(&private, &public, "peer").unwrap(), expected);
    }

    #[test]
    fn low_order_points_are_refused() {
        let private = private_to_x25519(&[7; 32]);
        // u = 0 and u = 1 are low-order points on Curve25519.
        for u in [[0u8; 32], {
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }] {
            assert_eq!(
                agree(&private, &u, "sender"),
                Err(MixinError::LowOrderPoint("sender"))
            );
        }
    }

    #[test]
    fn invalid_edwards_point_is_refused() {
        // y = 2 is not the y-coordinate of a point on edwards25519.
        let mut y = [0u8; 32];
        y[0] = 2;
        assert_eq!(public_to_x25519(&y), Err(MixinError::InvalidEdwardsPoint));
    }

    #[test]
    fn points_libsodium_refuses_are_refused() {
        let refused = |h: &str| {
            matches!(
                public_to_x25519(&h32(h)),
                Err(MixinError::RefusedEdwardsPoint(_))
            )
        };
        // The identity, and the order-2 point.
        assert!(refused(
            "0100000000000000000000000000000000000000000000000000000000000000"
        ));
        assert!(refused(
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
        ));
        // y = p + 3: a non-canonical encoding of a point (y = 3).
        assert!(refused(
            "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
        ));
        // x = 0 with the sign bit set.
        assert!(refused(
            "0100000000000000000000000000000000000000000000000000000000000080"
        ));
        // A public key plus a point of order 2: on the curve, outside the subgroup.
        let seed = [9u8; 32];
        let p = CompressedEdwardsY(ed25519_public(&seed))
            .decompress()
            .unwrap();
        let t = CompressedEdwardsY(h32(
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ))
        .decompress()
        .unwrap();
        let mixed = (p + t).compress().0;
        assert!(is_edwards_point(&mixed));
        assert_eq!(
            public_to_x25519(&mixed),
            Err(MixinError::RefusedEdwardsPoint(
                "not in the prime-order subgroup"
            ))
        );
        // A seed's own public key converts.
        assert!(public_to_x25519(&ed25519_public(&seed)).is_ok());
    }

    #[test]
    fn lengths_are_checked() {
        assert_eq!(seed(&[0; 31]), Err(MixinError::PrivateKeyLength(31)));
        assert!(matches!(
            public_key(&[0; 33], "recipient session"),
            Err(MixinError::PublicKeyLength { len: 33, .. })
        ));
    }
}
