//! What kind a valid Themis key is, by its tag (spec §1.3): a file of its own because both the
//! key parser and the error type (which names the kind it got) need it.

use std::fmt;

/// What a valid Themis key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `REC2`/`REC3`/`REC5`.
    EcPrivate,
    /// `UEC2`/`UEC3`/`UEC5`.
    EcPublic,
    /// `RRA1`/`RRA2`/`RRA4`/`RRA8`.
    RsaPrivate,
    /// `URA1`/`URA2`/`URA4`/`URA8`.
    RsaPublic,
}

impl KeyKind {
    /// The protocol's name for the kind (`themis.key.check`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::EcPrivate => "ec_private",
            KeyKind::EcPublic => "ec_public",
            KeyKind::RsaPrivate => "rsa_private",
            KeyKind::RsaPublic => "rsa_public",
        }
    }

    /// Whether the kind holds a private key.
    pub fn is_private(self) -> bool {
        matches!(self, KeyKind::EcPrivate | KeyKind::RsaPrivate)
    }

    /// Whether the kind is an EC key.
    pub fn is_ec(self) -> bool {
        matches!(self, KeyKind::EcPrivate | KeyKind::EcPublic)
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
