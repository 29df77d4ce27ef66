//! Themis Secure Message (docs/themis-secure-message.md).

mod cell;
mod container;
mod ec;
mod encrypt;
mod error;
mod kdf;
mod keys;
mod message;
mod rsa;
mod sign;

pub use encrypt::{decrypt, encrypt, EncryptRandom};
pub use error::ThemisError;
pub use inspect::dissect;
pub use keys::{generate_ec_keypair, generate_rsa_keypair, key_check, KeyKind};
pub use sign::{sign, verify};

mod inspect;

#[cfg(test)]
mod tests;
