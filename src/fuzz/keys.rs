//! The fixed keys of the structure-aware targets, made once, so a fuzz input spends its bytes
//! on the message and not on key generation.

use crate::{mixin, themis};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// The fixed keys of the structure-aware targets: a Mixin sender and three recipient sessions,
/// and two Themis P-256 key pairs (private, public).
pub struct FixedKeys {
    /// ed25519 seed of the Mixin sender.
    pub mixin_sender: [u8; 32],
    /// (ed25519 seed, X25519 public key, session id) of each Mixin recipient.
    pub mixin_recipients: Vec<([u8; 32], [u8; 32], [u8; 16])>,
    /// Alice's Themis EC key pair.
    pub alice: (Vec<u8>, Vec<u8>),
    /// Bob's Themis EC key pair.
    pub bob: (Vec<u8>, Vec<u8>),
}

/// The fixed keys, made once.
pub fn fixed_keys() -> &'static FixedKeys {
    static KEYS: OnceLock<FixedKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(0x5ea1);
        let mixin_recipients = (1..=3u8)
            .map(|i| {
                let seed = [i; 32];
                let public = mixin::keys::x25519_base(&mixin::keys::private_to_x25519(&seed));
                let mut id = [0x10 * i; 16];
                id[6] = 0x40 | i; // version 4 nibble, for realism
                (seed, public, id)
            })
            .collect();
        FixedKeys {
            mixin_sender: [0x77; 32],
            mixin_recipients,
            alice: themis::generate_ec_keypair(&mut rng),
            bob: themis::generate_ec_keypair(&mut rng),
        }
    })
}

pub(super) fn session_string(id: &[u8; 16]) -> String {
    uuid::Uuid::from_bytes(*id).hyphenated().to_string()
}
