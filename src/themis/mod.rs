//! Themis Secure Message (docs/themis-secure-message.md).

mod container;
mod ec;
mod error;
mod keys;

pub use error::ThemisError;
pub use keys::{generate_ec_keypair, generate_rsa_keypair, key_check, KeyKind};
mod cell;
mod kdf;
mod message;
mod rsa;
