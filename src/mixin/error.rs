//! Typed Mixin errors, each mapped onto one canonical stage of PROTOCOL.md.

use crate::wire::Stage;
use thiserror::Error;

/// Why the reference refused a Mixin input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MixinError {
    /// The ed25519 seed is not 32 bytes.
    #[error("private key must be a 32-byte ed25519 seed, got {0} bytes")]
    PrivateKeyLength(usize),
    /// A public key is not 32 bytes.
    #[error("{role} public key must be 32 bytes, got {len} bytes")]
    PublicKeyLength {
        /// Whose key it is (`recipient session`, `ed25519`).
        role: &'static str,
        /// Its length.
        len: usize,
    },
    /// An ed25519 public key that does not decode to a curve point.
    #[error("ed25519 public key is not a point on the curve")]
    InvalidEdwardsPoint,
    /// An ed25519 public key that is a point, but not one the conversion takes: a
    /// non-canonical encoding, a small-order point or one outside the prime-order subgroup.
    #[error("ed25519 public key refused: {0}")]
    RefusedEdwardsPoint(&'static str),
    /// X25519 gave the all-zero secret: the peer key is a low-order point.
    #[error("X25519 with the {0} key gives the all-zero secret (a low-order point)")]
    LowOrderPoint(&'static str),
    /// The body ends inside a field.
    #[error("body ends inside the {field}: it needs {needed} bytes at offset {offset}, {available} remain")]
    Truncated {
        /// The field that is cut short.
        field: &'static str,
        /// Where the field starts.
        offset: usize,
        /// How many bytes it needs.
        needed: usize,
        /// How many bytes remain.
        available: usize,
    },
    /// A version byte other than 1.
    #[error("unknown version {0}: only version 1 is defined")]
    Version(u8),
    /// The session count promises more blocks than the body holds.
    #[error("session count {declared} needs {needed} bytes of session blocks, but only {available} bytes follow the header")]
    SessionCount {
        /// The count in the header.
        declared: u16,
        /// 64 × count.
        needed: usize,
        /// Bytes after the 35-byte header.
        available: usize,
    },
    /// More sessions than the u16 count can say.
    #[error("{0} sessions do not fit the 16-bit session count")]
    TooManySessions(usize),
    /// No block carries the requested session id.
    #[error("no session block for session id {0:?}")]
    SessionNotFound(String),
    /// More than one block carries the requested session id.
    #[error(
        "{blocks} session blocks carry session id {session_id:?}; a body must name a session once"
    )]
    DuplicateSession {
        /// The id asked for.
        session_id: String,
        /// How many blocks carry it.
        blocks: usize,
    },
    /// The unwrapped message key is not followed by sixteen 0x10 bytes.
    #[error("the wrapped message key ends in {padding} instead of sixteen 0x10 padding bytes")]
    KeyUnwrap {
        /// The 16 bytes found where the padding belongs, in hex.
        padding: String,
    },
    /// The AES-GCM tag does not verify.
    #[error("the AES-GCM tag does not verify (wrong key, or edited nonce, ciphertext or tag)")]
    Authentication,
    /// The caller supplied the wrong number of CBC IVs.
    #[error("{ivs} IVs were supplied for {sessions} sessions")]
    IvCount {
        /// IVs given.
        ivs: usize,
        /// Sessions given.
        sessions: usize,
    },
}

impl MixinError {
    /// The canonical stage this error belongs to; the one place the mapping lives.
    pub fn stage(&self) -> Stage {
        match self {
            MixinError::PrivateKeyLength(_)
            | MixinError::PublicKeyLength { .. }
            | MixinError::InvalidEdwardsPoint
            | MixinError::RefusedEdwardsPoint(_)
            | MixinError::LowOrderPoint(_) => Stage::Key,
            MixinError::Truncated { .. } | MixinError::IvCount { .. } => Stage::Length,
            MixinError::Version(_) => Stage::Version,
            MixinError::SessionCount { .. } | MixinError::TooManySessions(_) => Stage::SessionCount,
            MixinError::SessionNotFound(_) | MixinError::DuplicateSession { .. } => {
                Stage::SessionNotFound
            }
            MixinError::KeyUnwrap { .. } => Stage::KeyUnwrap,
            MixinError::Authentication => Stage::Authentication,
        }
    }
}
