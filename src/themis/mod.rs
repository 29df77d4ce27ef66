//! Themis Secure Message, reference implementation (docs/themis-secure-message.md).
//!
//! Byte-compatible with Themis 0.15 (the C core and its wrappers): key containers, signed
//! messages (ECDSA-SHA256 / RSA-PSS-SHA256) and encrypted messages (static ECDH or RSA-OAEP,
//! each followed by a Secure Cell with AES-256-GCM). Encoders write exactly what Themis
//! writes; decoders accept everything Themis writes and reject, with a typed error and a
//! canonical [`Stage`](crate::wire::Stage), the inputs Themis merely tolerates.
//!
//! Randomness is always an argument so that vectors are reproducible.

mod cell;
mod container;
mod ec;
mod encrypt;
mod error;
mod inspect;
mod kdf;
mod keys;
mod kind;
mod message;
mod rsa;
mod sign;

pub use encrypt::{decrypt, encrypt, EncryptRandom};
pub use error::ThemisError;
pub use inspect::dissect;
pub use keys::{generate_ec_keypair, generate_rsa_keypair, key_check, public_key_for};
pub use kind::KeyKind;
pub use message::{MessageType, EC_ENCRYPTED, EC_SIGNED, RSA_ENCRYPTED, RSA_SIGNED};
pub use sign::{sign, verify};

#[cfg(test)]
mod tests;
