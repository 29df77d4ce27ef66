//! Mixin encrypted messages (docs/mixin-encrypted-message.md): one AES-128-GCM body for many
//! recipient sessions, each getting the message key wrapped under an X25519 secret.

pub mod api;
pub mod body;
pub mod checksum;
pub mod envelope;
mod error;
pub mod keys;

pub use body::{dissect, Block, Body};
pub use checksum::checksum;
pub use envelope::{decrypt, encrypt, Randomness, Recipient};
pub use error::MixinError;
