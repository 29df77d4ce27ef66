//! Encrypt and strict decrypt (docs/mixin-encrypted-message.md, "Encrypt" and "Decrypt").

use super::body::{BlockParts, Body, BodyParts, VERSION};
use super::{keys, MixinError};
use crate::wire::Codec;
use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use rand_core::{CryptoRng, RngCore};

type CbcEnc = cbc::Encryptor<aes::Aes256>;
type CbcDec = cbc::Decryptor<aes::Aes256>;

/// The padding the wrapped message key must carry: PKCS#7 of a whole block.
pub const KEY_PADDING: [u8; 16] = [0x10; 16];

/// Wraps a message key for one session: AES-256-CBC under the X25519 secret of
/// `message_key ‖ padding`. Every SDK writes [`KEY_PADDING`] (PKCS#7 of a 16-byte key); other
/// paddings make the bodies that tell padding-checking readers from the others.
pub fn wrap_key(
    secret: &[u8; 32],
    iv: &[u8; 16],
    message_key: &[u8; 16],
    padding: &[u8; 16],
) -> [u8; 32] {
    let mut wrapped = [0u8; 32];
    wrapped[..16].copy_from_slice(message_key);
    wrapped[16..].copy_from_slice(padding);
    // Two whole blocks never fail to encrypt without padding.
    let _ = CbcEnc::new(secret.into(), iv.into()).encrypt_padded_mut::<NoPadding>(&mut wrapped, 32);
    wrapped
}

/// A recipient session as encryption needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Session id bytes (textual UUID order).
    pub session_id: [u8; 16],
    /// The session's X25519 public key, as the API's `public_key` gives it.
    pub public_key: Vec<u8>,
}

/// All the randomness one encryption consumes, drawn in this order by every SDK:
/// message key, nonce, then one IV per session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Randomness {
    /// AES-128-GCM key of the body.
    pub message_key: [u8; 16],
    /// AES-GCM nonce.
    pub nonce: [u8; 12],
    /// One AES-256-CBC IV per session, in session order.
    pub ivs: Vec<[u8; 16]>,
}

impl Randomness {
    /// Draws fresh randomness for `sessions` recipients.
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, sessions: usize) -> Self {
        let mut r = Randomness {
            message_key: [0; 16],
            nonce: [0; 12],
            ivs: vec![[0; 16]; sessions],
        };
        rng.fill_bytes(&mut r.message_key);
        rng.fill_bytes(&mut r.nonce);
        r.ivs.iter_mut().for_each(|iv| rng.fill_bytes(iv));
        r
    }
}

/// Where encryption and decryption get their key values. [`Computed`] computes them; the fuzz
/// targets, whose keys are fixed, look up the values of their own keys and compute the rest
/// (an edited sender key), so an input pays for no key work that does not depend on it.
pub(crate) trait KeyWork {
    /// The sender's header key (X25519, from its ed25519 public key) and X25519 private key.
    fn sender(&self, seed: &[u8; 32]) -> Result<([u8; 32], [u8; 32]), MixinError>;
    /// The X25519 private key of a seed ([`keys::private_to_x25519`]).
    fn private(&self, seed: &[u8; 32]) -> [u8; 32];
    /// [`keys::agree`].
    fn agree(
        &self,
        private: &[u8; 32],
        peer: &[u8; 32],
        role: &'static str,
    ) -> Result<[u8; 32], MixinError>;
}

/// Computes every key value.
pub(crate) struct Computed;

impl KeyWork for Computed {
    fn sender(&self, seed: &[u8; 32]) -> Result<([u8; 32], [u8; 32]), MixinError> {
        let public = keys::public_to_x25519(&keys::ed25519_public(seed))?;
        Ok((public, keys::private_to_x25519(seed)))
    }
    fn private(&self, seed: &[u8; 32]) -> [u8; 32] {
        keys::private_to_x25519(seed)
    }
    fn agree(
        &self,
        private: &[u8; 32],
        peer: &[u8; 32],
        role: &'static str,
    ) -> Result<[u8; 32], MixinError> {
        keys::agree(private, peer, role)
    }
}

/// Encrypts `plaintext` for every recipient. The same inputs always give the same bytes.
///
/// `sender_seed` is the sender session's ed25519 seed; the header carries its public key in
/// Montgomery form, and each wrap key is the raw X25519 secret with the recipient's key.
pub fn encrypt(
    sender_seed: &[u8],
    recipients: &[Recipient],
    plaintext: &[u8],
    random: &Randomness,
) -> Result<Vec<u8>, MixinError> {
    encrypt_with(&Computed, sender_seed, recipients, plaintext, random)
}

/// [`encrypt`] with the key values from `work`.
pub(crate) fn encrypt_with(
    work: &impl KeyWork,
    sender_seed: &[u8],
    recipients: &[Recipient],
    plaintext: &[u8],
    random: &Randomness,
) -> Result<Vec<u8>, MixinError> {
    let seed = keys::seed(sender_seed)?;
    let count = u16::try_from(recipients.len())
        .map_err(|_| MixinError::TooManySessions(recipients.len()))?;
    if random.ivs.len() != recipients.len() {
        return Err(MixinError::IvCount {
            ivs: random.ivs.len(),
            sessions: recipients.len(),
        });
    }
    let (sender_x, sender_private) = work.sender(&seed)?;

    let sealed = Aes128Gcm::new(&random.message_key.into())
        .encrypt(Nonce::from_slice(&random.nonce), plaintext)
        .map_err(|_| MixinError::Authentication)?;

    let mut blocks = Vec::with_capacity(usize::from(count));
    for (recipient, iv) in recipients.iter().zip(&random.ivs) {
        let peer = keys::public_key(&recipient.public_key, "recipient session")?;
        let secret = work.agree(&sender_private, &peer, "recipient session")?;
        blocks.push(BlockParts {
            session_id: recipient.session_id,
            iv: *iv,
            wrapped_key: wrap_key(&secret, iv, &random.message_key, &KEY_PADDING),
        });
    }
    Ok(BodyParts {
        version: VERSION,
        sender_key: sender_x,
        blocks,
        nonce: random.nonce,
        sealed,
    }
    .to_bytes())
}

/// Decrypts a body for one recipient session, strictly: version 1 only, the count must fit,
/// the wrapped key's padding must be exactly sixteen 0x10 bytes, and the GCM tag must verify.
pub fn decrypt(
    recipient_seed: &[u8],
    session_id: &str,
    body: &[u8],
) -> Result<Vec<u8>, MixinError> {
    open(&Computed, recipient_seed, session_id, body, true)
}

/// [`decrypt`] with the key values from `work`.
pub(crate) fn decrypt_with(
    work: &impl KeyWork,
    recipient_seed: &[u8],
    session_id: &str,
    body: &[u8],
) -> Result<Vec<u8>, MixinError> {
    open(work, recipient_seed, session_id, body, true)
}

/// Decrypts as the implementations that never look at the wrapped key's padding do
/// (bot-api-go-client, fox-one, Ruby, PyPI mixinsdk). Not a second policy: the harness uses
/// it to tell a known leniency from a defect.
pub fn decrypt_ignoring_padding(
    recipient_seed: &[u8],
    session_id: &str,
    body: &[u8],
) -> Result<Vec<u8>, MixinError> {
    open(&Computed, recipient_seed, session_id, body, false)
}

fn open(
    work: &impl KeyWork,
    recipient_seed: &[u8],
    session_id: &str,
    body: &[u8],
    check_padding: bool,
) -> Result<Vec<u8>, MixinError> {
    let seed = keys::seed(recipient_seed)?;
    let body = Body::parse(body)?;
    let block = body.find(session_id)?;
    let secret = work.agree(&work.private(&seed), &body.sender_key, "sender")?;

    let mut unwrapped = block.wrapped_key;
    CbcDec::new(&secret.into(), &block.iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut unwrapped)
        .map_err(|_| MixinError::KeyUnwrap {
            padding: String::new(),
        })?;
    let (message_key, padding) = unwrapped.split_at(16);
    if check_padding && padding != KEY_PADDING {
        return Err(MixinError::KeyUnwrap {
            padding: hex::encode(padding),
        });
    }
    Aes128Gcm::new_from_slice(message_key)
        .map_err(|_| MixinError::Authentication)?
        .decrypt(Nonce::from_slice(&body.nonce), body.sealed)
        .map_err(|_| MixinError::Authentication)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::from_base64_any;

    fn recipient(seed: u8, id: u8) -> ([u8; 32], Recipient) {
        let s = [seed; 32];
        let public = keys::x25519_base(&keys::private_to_x25519(&s)).to_vec();
        (
            s,
            Recipient {
                session_id: [id; 16],
                public_key: public,
            },
        )
    }

    fn fixed_random(n: usize) -> Randomness {
        Randomness {
            message_key: [0x11; 16],
            nonce: [0x22; 12],
            ivs: (0..n).map(|i| [0x30 + i as u8; 16]).collect(),
        }
    }

    fn id_string(id: u8) -> String {
        uuid::Uuid::from_bytes([id; 16]).to_string()
    }

    /// flutter-app `encryptedDecryptTest`: a real client body decrypts to "LA".
    #[test]
    fn upstream_flutter_body() {
        let seed = from_base64_any("JgW0ffnk+0PN8nJVtfCWZmxv99QIqPw5lquMUov26u0=").unwrap();
        let body = from_base64_any(
            "AQEApm78Ps6VRCy0MCdUtYGEpBb8bxxaGYkn93pjgaP5RlDr9Z76fkRHmaAUmezSrhV59cj7xD+c9V37wRZPdFVgGTkjhv8FTrj25j/DERttJqIdPnzMLYgWmOA1VJ1PfoE8Jso0liRlFVywvX0ocX+LQw30r454kKsar2oXerP4",
        )
        .unwrap();
        let plain = decrypt(&seed, "ebf59efa-7e44-4799-a014-99ecd2ae1579", &body).unwrap();
        assert_eq!(plain, b"LA");
    }

    #[test]
    fn layout_and_length_formula() {
        let sender = [9u8; 32];
        let (_, r) = recipient(1, 0xab);
        let body = encrypt(&sender, &[r.clone(), r], b"hello", &fixed_random(2)).unwrap();
        assert_eq!(body.len(), 35 + 64 * 2 + 12 + 5 + 16);
        assert_eq!(&body[..3], &[1, 2, 0]);
        assert_eq!(
            body[3..35],
            keys::x25519_base(&keys::private_to_x25519(&sender))
        );
        assert_eq!(&body[35..51], &[0xab; 16]);
        assert_eq!(&body[51..67], &[0x30; 16]);
        assert_eq!(&body[115..131], &[0x31; 16], "second IV in second block");
        assert_eq!(&body[163..175], &[0x22; 12]);
    }

    #[test]
    fn each_recipient_decrypts_and_strangers_do_not() {
        let sender = [9u8; 32];
        let rs: Vec<_> = (1..=3).map(|i| recipient(i, i)).collect();
        let sessions: Vec<_> = rs.iter().map(|(_, r)| r.clone()).collect();
        let body = encrypt(&sender, &sessions, b"m", &fixed_random(3)).unwrap();
        for (i, (seed, _)) in rs.iter().enumerate() {
            assert_eq!(decrypt(seed, &id_string(i as u8 + 1), &body).unwrap(), b"m");
        }
        // A key that is not the session's: the unwrap padding fails first.
        assert!(matches!(
            decrypt(&[42; 32], &id_string(1), &body),
            Err(MixinError::KeyUnwrap { .. })
        ));
        assert_eq!(
            decrypt(&rs[0].0, &id_string(9), &body),
            Err(MixinError::SessionNotFound(id_string(9)))
        );
        // Go compares the lowercase string: an upper-case id is not found.
        assert!(matches!(
            decrypt(&rs[0].0, &id_string(0xab).to_uppercase(), &body),
            Err(MixinError::SessionNotFound(_))
        ));
    }

    #[test]
    fn a_session_named_twice_is_refused_even_when_both_blocks_open() {
        let (seed, r) = recipient(5, 7);
        let body = encrypt(&[9; 32], &[r.clone(), r], b"twice", &fixed_random(2)).unwrap();
        let err = decrypt(&seed, &id_string(7), &body).unwrap_err();
        assert_eq!(
            err,
            MixinError::DuplicateSession {
                session_id: id_string(7),
                blocks: 2
            }
        );
        assert_eq!(err.stage(), crate::wire::Stage::SessionNotFound);
        // Another session of the same body is unaffected.
        let (other_seed, other) = recipient(6, 8);
        let (_, r) = recipient(5, 7);
        let body = encrypt(&[9; 32], &[r.clone(), other, r], b"x", &fixed_random(3)).unwrap();
        assert_eq!(decrypt(&other_seed, &id_string(8), &body).unwrap(), b"x");
    }

    #[test]
    fn tampering_is_caught_at_the_right_stage() {
        let sender = [9u8; 32];
        let (seed, r) = recipient(1, 1);
        let body = encrypt(&sender, &[r], b"attack at dawn", &fixed_random(1)).unwrap();
        let id = id_string(1);
        let flip = |i: usize| {
            let mut b = body.clone();
            b[i] ^= 1;
            b
        };
        let last = body.len() - 1;
        assert_eq!(
            decrypt(&seed, &id, &flip(last)),
            Err(MixinError::Authentication),
            "tag"
        );
        assert_eq!(
            decrypt(&seed, &id, &flip(35 + 64)),
            Err(MixinError::Authentication),
            "nonce"
        );
        assert_eq!(
            decrypt(&seed, &id, &flip(35 + 64 + 12)),
            Err(MixinError::Authentication),
            "ciphertext"
        );
        // Flipping an IV bit changes the message key: GCM fails, padding is untouched.
        assert_eq!(
            decrypt(&seed, &id, &flip(35 + 16)),
            Err(MixinError::Authentication),
            "iv"
        );
        // Flipping the second CBC block of the wrapped key garbles the padding.
        assert!(matches!(
            decrypt(&seed, &id, &flip(35 + 32 + 16)),
            Err(MixinError::KeyUnwrap { .. })
        ));
        let mut trailing = body.clone();
        trailing.push(0);
        assert_eq!(
            decrypt(&seed, &id, &trailing),
            Err(MixinError::Authentication)
        );
        assert_eq!(decrypt(&seed, &id, &flip(0)), Err(MixinError::Version(0)));
        assert_eq!(
            decrypt(&seed[..31], &id, &body),
            Err(MixinError::PrivateKeyLength(31))
        );
    }

    #[test]
    fn non_standard_cbc_padding_is_refused() {
        // Re-wrap the message key with other paddings under the same secret.
        let sender = [9u8; 32];
        let (seed, r) = recipient(1, 1);
        let random = fixed_random(1);
        let body = encrypt(&sender, std::slice::from_ref(&r), b"x", &random).unwrap();
        let secret = keys::agree(
            &keys::private_to_x25519(&sender),
            &r.public_key.clone().try_into().unwrap(),
            "t",
        )
        .unwrap();
        assert_eq!(
            wrap_key(&secret, &random.ivs[0], &random.message_key, &KEY_PADDING),
            body[67..99],
            "the standard wrap is what encrypt wrote"
        );
        for padding in [[0u8; 16], [0x11; 16], {
            let mut p = [0u8; 16];
            p[15] = 1;
            p
        }] {
            let wrapped = wrap_key(&secret, &random.ivs[0], &random.message_key, &padding);
            let mut b = body.clone();
            b[67..99].copy_from_slice(&wrapped);
            assert_eq!(
                decrypt(&seed, &id_string(1), &b),
                Err(MixinError::KeyUnwrap {
                    padding: hex::encode(padding)
                })
            );
        }
    }

    #[test]
    fn low_order_keys_are_refused() {
        let (seed, mut r) = recipient(1, 1);
        let good = encrypt(&[9; 32], std::slice::from_ref(&r), b"x", &fixed_random(1)).unwrap();
        let mut b = good.clone();
        b[3..35].copy_from_slice(&[0; 32]);
        assert_eq!(
            decrypt(&seed, &id_string(1), &b),
            Err(MixinError::LowOrderPoint("sender"))
        );
        r.public_key = vec![0; 32];
        assert_eq!(
            encrypt(&[9; 32], &[r], b"x", &fixed_random(1)),
            Err(MixinError::LowOrderPoint("recipient session"))
        );
    }

    #[test]
    fn argument_errors() {
        let (_, r) = recipient(1, 1);
        assert_eq!(
            encrypt(&[9; 32], std::slice::from_ref(&r), b"x", &fixed_random(2)),
            Err(MixinError::IvCount {
                ivs: 2,
                sessions: 1
            })
        );
        let mut short = r;
        short.public_key.pop();
        assert!(matches!(
            encrypt(&[9; 32], &[short], b"x", &fixed_random(1)),
            Err(MixinError::PublicKeyLength { len: 31, .. })
        ));
    }

    #[test]
    fn count_65535_in_a_111_byte_body_is_a_session_count_error() {
        let mut b = vec![1u8, 0xff, 0xff];
        b.resize(111, 0);
        assert!(matches!(
            decrypt(&[1; 32], &id_string(1), &b),
            Err(MixinError::SessionCount {
                declared: 65535,
                ..
            })
        ));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// encrypt -> decrypt round-trips for 0 to 5 sessions and plaintexts of 0 to 70000
        /// bytes, for every recipient, and the body has exactly the documented length.
        #[test]
        fn encrypt_decrypt_round_trip(
            sessions in 0usize..=5,
            len in prop_oneof![0usize..=64, 0usize..=70_000],
            fill in any::<u8>(),
            sender in any::<[u8; 32]>(),
            key in any::<[u8; 16]>(),
            nonce in any::<[u8; 12]>(),
        ) {
            let plaintext: Vec<u8> = (0..len).map(|i| fill.wrapping_add(i as u8)).collect();
            let seeds: Vec<[u8; 32]> = (0..sessions).map(|i| [i as u8 + 1; 32]).collect();
            let recipients: Vec<Recipient> = seeds
                .iter()
                .enumerate()
                .map(|(i, s)| Recipient {
                    session_id: [i as u8 + 0x40; 16],
                    public_key: keys::x25519_base(&keys::private_to_x25519(s)).to_vec(),
                })
                .collect();
            let random = Randomness { message_key: key, nonce, ivs: vec![[7; 16]; sessions] };
            let body = encrypt(&sender, &recipients, &plaintext, &random).unwrap();
            prop_assert_eq!(body.len(), 35 + 64 * sessions + 12 + len + 16);
            for (seed, r) in seeds.iter().zip(&recipients) {
                let id = uuid::Uuid::from_bytes(r.session_id).to_string();
                prop_assert_eq!(&decrypt(seed, &id, &body).unwrap(), &plaintext);
            }
        }

        /// No byte string makes decrypt panic, and no single-byte edit of a valid body is
        /// accepted with a different plaintext.
        #[test]
        fn decrypt_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), pos in any::<usize>(), xor in 1u8..) {
            let _ = Body::parse(&bytes);
            let _ = super::super::dissect(&bytes);
            let _ = decrypt(&[1; 32], "00000000-0000-0000-0000-000000000000", &bytes);
            let seed = [3u8; 32];
            let r = Recipient { session_id: [9; 16], public_key: keys::x25519_base(&keys::private_to_x25519(&seed)).to_vec() };
            let body = encrypt(&[4; 32], std::slice::from_ref(&r), b"payload", &Randomness { message_key: [1; 16], nonce: [2; 12], ivs: vec![[3; 16]] }).unwrap();
            let mut edited = body.clone();
            let i = pos % edited.len();
            // X25519 ignores the top bit of the sender key (byte 34): that edit is harmless.
            prop_assume!(!(i == 34 && xor == 0x80));
            edited[i] ^= xor;
            let id = uuid::Uuid::from_bytes(r.session_id).to_string();
            prop_assert!(decrypt(&seed, &id, &edited).is_err(), "edit at {} accepted", i);
        }
    }
}
