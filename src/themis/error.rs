//! Errors of the Themis reference and their canonical stages (docs/themis-secure-message.md §8).

use super::kind::KeyKind;
use crate::wire::Stage;
use thiserror::Error;

/// Why the reference rejected an input or could not produce an output.
///
/// Variants are precise so that `sealcheck inspect` and the harness can explain a rejection;
/// [`ThemisError::stage`] is the single place that folds them into canonical stages.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ThemisError {
    /// The key is shorter than the 12-byte container header.
    #[error("the key is {len} bytes, shorter than the 12-byte container header")]
    KeyTooShort {
        /// Actual length.
        len: usize,
    },
    /// The container tag is not one of the Themis key tags.
    #[error("the key container tag {tag:?} is not a Themis EC or RSA key tag")]
    KeyTag {
        /// The four tag bytes, lossily as text.
        tag: String,
    },
    /// The big-endian size field does not equal the container length.
    #[error("the key container declares {declared} bytes but is {actual} bytes long")]
    KeySize {
        /// Size field value.
        declared: u32,
        /// Actual length.
        actual: usize,
    },
    /// The CRC-32C of the container does not match the stored one.
    #[error("the key container checksum is {stored:08x} but the contents give {computed:08x}")]
    KeyChecksum {
        /// Stored value (read little-endian).
        stored: u32,
        /// Value computed over the container with the checksum field zeroed.
        computed: u32,
    },
    /// The payload length is not one this tag allows.
    #[error("a {tag} key cannot have a {len}-byte payload")]
    KeyPayload {
        /// Container tag.
        tag: String,
        /// Payload length.
        len: usize,
    },
    /// The private scalar is zero or not below the group order.
    #[error("the EC private scalar is not in [1, n)")]
    KeyScalar,
    /// The public point has an unsupported prefix or is not on the curve.
    #[error("the EC public key is not a valid point: {0}")]
    KeyPoint(&'static str),
    /// The RSA public exponent is neither 3 nor 65537.
    #[error("the RSA public exponent {0} is neither 3 nor 65537")]
    KeyExponent(u32),
    /// The RSA numbers are inconsistent (modulus, primes, exponents or CRT values).
    #[error("the RSA key is inconsistent: {0}")]
    KeyRsa(&'static str),
    /// Key generation was asked for a size Themis cannot store, or failed.
    #[error("cannot generate the key: {0}")]
    KeyGeneration(String),
    /// A key of the wrong kind for its role.
    #[error("expected an {expected} key but got an {got} key")]
    KeyKind {
        /// The role's kind.
        expected: &'static str,
        /// What the key is.
        got: KeyKind,
    },
    /// The two keys (or the key and the message type) belong to different algorithms or curves.
    #[error("the keys do not go together: {0}")]
    KeyMismatch(&'static str),
    /// Empty plaintext: Themis refuses to sign or encrypt it, and we refuse to accept it.
    #[error("the message is empty")]
    Empty,
    /// The message type is not one this operation accepts.
    #[error("message type {found:#010x} is not {expected}")]
    MessageType {
        /// The type read (little-endian).
        found: u32,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// The input ended before a field it must hold.
    #[error("the input is too short: {what} needs {need} bytes but {have} are left")]
    Truncated {
        /// The field.
        what: &'static str,
        /// Bytes needed.
        need: u64,
        /// Bytes available.
        have: usize,
    },
    /// A length field disagrees with the data.
    #[error("{what} says {declared} but the data gives {actual}")]
    LengthMismatch {
        /// The field.
        what: &'static str,
        /// Declared value.
        declared: u64,
        /// Value implied by the data.
        actual: u64,
    },
    /// Bytes after the signature that the legacy-padding rule does not allow.
    #[error("{count} bytes follow the signature and {reason}")]
    TrailingBytes {
        /// How many.
        count: usize,
        /// Why they are refused.
        reason: &'static str,
    },
    /// The message is too long for a u32 length field.
    #[error("the message is {0} bytes, too long for a 32-bit length field")]
    TooLong(usize),
    /// The Secure Cell algorithm id is not AES-256-GCM with the Soter KDF.
    #[error("Secure Cell algorithm {0:#010x} is not 0x40010100 (AES-256-GCM, Soter KDF)")]
    Algorithm(u32),
    /// The Secure Cell IV or tag length is not the one AES-256-GCM uses here.
    #[error("Secure Cell {what} is {found}, expected {expected}")]
    CellParameter {
        /// `iv_length` or `auth_tag_length`.
        what: &'static str,
        /// Value read.
        found: u32,
        /// Required value.
        expected: u32,
    },
    /// The GCM tag does not verify: wrong keys or edited data.
    #[error("the Secure Cell authentication tag does not verify (wrong key or modified message)")]
    Authentication,
    /// RSA-OAEP unwrapping of the secret failed; reported like a tag failure so that
    /// the two cannot be told apart (no padding oracle).
    #[error("the RSA-wrapped secret does not decrypt (wrong key or modified message)")]
    KeyUnwrap,
    /// The signature is not DER (EC) or has the wrong size (RSA).
    #[error("the signature is malformed: {0}")]
    SignatureEncoding(&'static str),
    /// The signature does not verify under the key.
    #[error("the signature does not verify")]
    SignatureMismatch,
}

impl ThemisError {
    /// The canonical stage of this error: the one place variants map to stages.
    pub fn stage(&self) -> Stage {
        match self {
            ThemisError::KeyTooShort { .. }
            | ThemisError::KeyTag { .. }
            | ThemisError::KeySize { .. }
            | ThemisError::KeyChecksum { .. }
            | ThemisError::KeyPayload { .. }
            | ThemisError::KeyScalar
            | ThemisError::KeyPoint(_)
            | ThemisError::KeyExponent(_)
            | ThemisError::KeyRsa(_)
            | ThemisError::KeyGeneration(_) => Stage::Key,
            ThemisError::KeyKind { .. } | ThemisError::KeyMismatch(_) => Stage::KeyKind,
            ThemisError::Empty => Stage::Empty,
            ThemisError::MessageType { .. } => Stage::Header,
            ThemisError::Truncated { .. }
            | ThemisError::LengthMismatch { .. }
            | ThemisError::TrailingBytes { .. }
            | ThemisError::TooLong(_) => Stage::Length,
            ThemisError::Algorithm(_) | ThemisError::CellParameter { .. } => Stage::Algorithm,
            ThemisError::Authentication | ThemisError::KeyUnwrap => Stage::Authentication,
            ThemisError::SignatureEncoding(_) | ThemisError::SignatureMismatch => Stage::Signature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_a_sentence_and_stages_are_distinct_where_they_should_be() {
        let e = ThemisError::KeySize {
            declared: 45,
            actual: 44,
        };
        assert_eq!(
            e.to_string(),
            "the key container declares 45 bytes but is 44 bytes long"
        );
        assert_eq!(e.stage(), Stage::Key);
        assert_eq!(ThemisError::KeyUnwrap.stage(), Stage::Authentication);
        assert_eq!(
            ThemisError::KeyKind {
                expected: "EC public",
                got: KeyKind::EcPrivate
            }
            .to_string(),
            "expected an EC public key but got an ec_private key"
        );
    }
}
