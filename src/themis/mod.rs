//! Themis Secure Message (docs/themis-secure-message.md).

mod container;
mod ec;
mod error;

pub use error::ThemisError;
pub mod keys { #[derive(Debug, Clone, Copy, PartialEq, Eq)] pub enum KeyKind { EcPrivate }
impl std::fmt::Display for KeyKind { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "ec_private") } } }
