//! The fixed keys of the structure-aware targets, made once, so a fuzz input spends its bytes
//! on the message and not on key generation.

use crate::mixin::envelope::{Computed, KeyWork};
use crate::mixin::{self, MixinError};
use crate::themis::{self, keys::parse_key, keys::Key};
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

/// The fixed keys as the reference uses them, made once per process: the Themis keys parsed,
/// the two Themis pairs with their ECDH secret, and the Mixin key values. None of it depends on
/// the input, so no input pays for it; everything that does depend on the input is computed.
pub(crate) struct Prepared {
    /// Alice's private key, parsed (signing).
    pub(crate) alice_private: Key,
    /// Alice's public key, parsed (verifying).
    pub(crate) alice_public: Key,
    /// Alice's private key with Bob's public key (encrypting to Bob).
    pub(crate) alice_to_bob: themis::KeyPair,
    /// Bob's private key with Alice's public key (decrypting from Alice).
    pub(crate) bob_from_alice: themis::KeyPair,
    /// The Mixin sender's and recipients' key values.
    pub(crate) mixin: MixinKeys,
}

/// The prepared fixed keys, made once.
pub(crate) fn prepared() -> &'static Prepared {
    static PREPARED: OnceLock<Prepared> = OnceLock::new();
    PREPARED.get_or_init(|| {
        let keys = fixed_keys();
        let parse = |k: &[u8]| parse_key(k).expect("a fixed key parses");
        let pair = |own: &[u8], peer: &[u8]| {
            themis::KeyPair::new(own, peer).expect("a fixed key pair goes together")
        };
        Prepared {
            alice_private: parse(&keys.alice.0),
            alice_public: parse(&keys.alice.1),
            alice_to_bob: pair(&keys.alice.0, &keys.bob.1),
            bob_from_alice: pair(&keys.bob.0, &keys.alice.1),
            mixin: MixinKeys::new(keys),
        }
    })
}

/// The key values of the fixed Mixin keys, looked up instead of computed; any other key (a
/// sender key an edit changed) is computed as [`Computed`] would.
pub(crate) struct MixinKeys {
    sender_seed: [u8; 32],
    sender: ([u8; 32], [u8; 32]),
    privates: Vec<([u8; 32], [u8; 32])>,
    agreements: Vec<([u8; 32], [u8; 32], [u8; 32])>,
}

impl MixinKeys {
    fn new(keys: &FixedKeys) -> Self {
        let sender = Computed
            .sender(&keys.mixin_sender)
            .expect("the fixed sender key converts");
        let privates: Vec<_> = keys
            .mixin_recipients
            .iter()
            .map(|(seed, _, _)| (*seed, Computed.private(seed)))
            .collect();
        let mut agreements = Vec::new();
        for ((_, public, _), (_, private)) in keys.mixin_recipients.iter().zip(&privates) {
            // Both directions, each computed on its own: the sender's wrap and the
            // recipient's unwrap.
            for (own, peer) in [(sender.1, *public), (*private, sender.0)] {
                let secret = Computed
                    .agree(&own, &peer, "fixed key")
                    .expect("the fixed keys agree");
                agreements.push((own, peer, secret));
            }
        }
        MixinKeys {
            sender_seed: keys.mixin_sender,
            sender,
            privates,
            agreements,
        }
    }
}

impl KeyWork for MixinKeys {
    fn sender(&self, seed: &[u8; 32]) -> Result<([u8; 32], [u8; 32]), MixinError> {
        if *seed == self.sender_seed {
            return Ok(self.sender);
        }
        Computed.sender(seed)
    }
    fn private(&self, seed: &[u8; 32]) -> [u8; 32] {
        match self.privates.iter().find(|(s, _)| s == seed) {
            Some((_, private)) => *private,
            None => Computed.private(seed),
        }
    }
    fn agree(
        &self,
        private: &[u8; 32],
        peer: &[u8; 32],
        role: &'static str,
    ) -> Result<[u8; 32], MixinError> {
        match self
            .agreements
            .iter()
            .find(|(own, other, _)| own == private && other == peer)
        {
            Some((_, _, secret)) => Ok(*secret),
            None => Computed.agree(private, peer, role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The looked-up values are the computed ones, and keys not in the table are computed.
    #[test]
    fn mixin_lookups_equal_computation() {
        let keys = fixed_keys();
        let m = &prepared().mixin;
        assert_eq!(
            m.sender(&keys.mixin_sender),
            Computed.sender(&keys.mixin_sender)
        );
        assert_eq!(m.agreements.len(), 6);
        for (own, peer, secret) in &m.agreements {
            assert_eq!(Ok(*secret), mixin::keys::agree(own, peer, "x"));
        }
        for (seed, public, _) in &keys.mixin_recipients {
            assert_eq!(m.private(seed), mixin::keys::private_to_x25519(seed));
            // The wrap and the unwrap secret are one X25519 secret.
            let wrap = m.agree(&m.sender.1, public, "x").unwrap();
            assert_eq!(m.agree(&m.private(seed), &m.sender.0, "x"), Ok(wrap));
        }
        // Not in the table: computed, errors included.
        let other = [9u8; 32];
        assert_eq!(m.sender(&other), Computed.sender(&other));
        assert_eq!(m.private(&other), mixin::keys::private_to_x25519(&other));
        assert_eq!(
            m.agree(&m.sender.1, &[0; 32], "sender"),
            Err(MixinError::LowOrderPoint("sender"))
        );
        let edited = mixin::keys::x25519_base(&other);
        assert_eq!(
            m.agree(&m.private(&keys.mixin_recipients[0].0), &edited, "sender"),
            mixin::keys::agree(&m.private(&keys.mixin_recipients[0].0), &edited, "sender")
        );
    }

    /// The prepared Themis keys give what the single-shot functions give, for good and for
    /// broken messages.
    #[test]
    fn themis_prepared_equal_single_shot() {
        let keys = fixed_keys();
        let p = prepared();
        let random = themis::EncryptRandom {
            iv: [3; 12],
            secret: [0; 70],
            oaep_seed: [0; 20],
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for message in [&b""[..], &b"a"[..], &b"prepared keys"[..]] {
            let encrypted = p.alice_to_bob.encrypt(message, &random);
            assert_eq!(
                encrypted,
                themis::encrypt(&keys.alice.0, &keys.bob.1, message, &random)
            );
            let signed = themis::sign_with(&p.alice_private, message, &mut rng);
            assert_eq!(signed, themis::sign(&keys.alice.0, message, &mut rng));
            for m in [encrypted, signed].into_iter().flatten() {
                for cut in [0, 4, 8, m.len() / 2, m.len() - 1, m.len()] {
                    let mut edited = m[..cut].to_vec();
                    edited.extend_from_slice(&[0x55]);
                    for b in [&m[..], &m[..cut], &edited[..]] {
                        assert_eq!(
                            p.bob_from_alice.decrypt(b),
                            themis::decrypt(&keys.bob.0, &keys.alice.1, b)
                        );
                        assert_eq!(
                            themis::verify_with(&p.alice_public, b),
                            themis::verify(&keys.alice.1, b)
                        );
                    }
                }
            }
        }
    }
}
