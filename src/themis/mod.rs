//! Themis Secure Message, reference implementation (docs/themis-secure-message.md).
//!
//! Byte-compatible with Themis 0.15 (the C core and its wrappers): key containers, signed
//! messages (ECDSA-SHA256 / RSA-PSS-SHA256) and encrypted messages (static ECDH or RSA-OAEP,
//! each followed by a Secure Cell with AES-256-GCM). Encoders write exactly what Themis
//! writes; decoders accept everything Themis writes and reject, with a typed error and a
//! canonical [`Stage`](crate::wire::Stage), the inputs Themis merely tolerates.
//!
//! Randomness is always an argument so that vectors are reproducible.

pub mod cell;
pub mod container;
pub mod der;
mod ec;
mod encrypt;
mod error;
mod inspect;
pub mod kdf;
pub mod keys;
mod kind;
pub mod message;
mod rsa;
mod sign;

pub use cell::Cell;
pub use container::KeyContainer;
pub use der::DerSignature;
pub use ec::Curve;
pub use encrypt::{decrypt, encrypt, EncryptRandom, RSA_SECRET_LEN};
pub use error::ThemisError;
pub use inspect::dissect;
pub use keys::{
    ec_point, ecdh, ecdsa_sign, generate_ec_keypair, generate_ec_keypair_on, generate_rsa_keypair,
    generate_rsa_keypair_with_exponent, key_check, public_key_for, rsa_private_key, rsa_public_key,
    KeyFields,
};
pub use kind::KeyKind;
pub use message::{
    EncryptedMessage, MessageType, SignedMessage, EC_ENCRYPTED, EC_SIGNED, RSA_ENCRYPTED,
    RSA_SIGNED,
};
pub use sign::{sign, verify};

#[cfg(test)]
mod tests;
