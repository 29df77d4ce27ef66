//! Encrypted Secure Messages: EC (static ECDH) and RSA (OAEP-wrapped secret) (spec §4, §5).

use super::cell::{self, IV_LEN};
use super::error::ThemisError;
use super::kdf;
use super::keys::{parse_key, Key};
use super::message::{self, EncryptedMessage, MessageType};
use super::rsa;
use crate::wire::{Codec, Dissection};
use ::rsa::traits::PublicKeyParts;

/// Length of the random secret the RSA path wraps (`THEMIS_RSA_SYMM_PASSWD_LENGTH`).
pub const RSA_SECRET_LEN: usize = 70;

/// Every random value encryption consumes, passed in so output is reproducible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptRandom {
    /// The Secure Cell GCM IV.
    pub iv: [u8; 12],
    /// RSA only: the Secure Cell master key that is RSA-wrapped.
    pub secret: [u8; 70],
    /// RSA only: the OAEP seed.
    pub oaep_seed: [u8; 20],
}

impl EncryptRandom {
    /// Draws all values from `rng`, in the order iv, secret, oaep_seed.
    pub fn from_rng(rng: &mut (impl rand_core::CryptoRngCore + ?Sized)) -> Self {
        let mut r = EncryptRandom {
            iv: [0; 12],
            secret: [0; 70],
            oaep_seed: [0; 20],
        };
        rng.fill_bytes(&mut r.iv);
        rng.fill_bytes(&mut r.secret);
        rng.fill_bytes(&mut r.oaep_seed);
        r
    }
}

/// Parses the (own private, peer public) pair and checks they go together.
fn key_pair(private_key: &[u8], public_key: &[u8]) -> Result<(Key, Key), ThemisError> {
    let own = parse_key(private_key)?;
    if !own.kind().is_private() {
        return Err(ThemisError::KeyKind {
            expected: "EC or RSA private",
            got: own.kind(),
        });
    }
    let peer = parse_key(public_key)?;
    if peer.kind().is_private() {
        return Err(ThemisError::KeyKind {
            expected: "EC or RSA public",
            got: peer.kind(),
        });
    }
    if own.kind().is_ec() != peer.kind().is_ec() {
        return Err(ThemisError::KeyMismatch("one key is EC and the other RSA"));
    }
    Ok((own, peer))
}

/// Encrypts `message` from the owner of `private_key` to the owner of `peer_public_key`.
///
/// EC: the Secure Cell master key is the raw ECDH X coordinate of the two keys.
/// RSA: a 70-byte secret (`random.secret`) is the master key, RSA-OAEP-wrapped for the peer
/// with `random.oaep_seed`; the sender's key must be a valid RSA private key but is not used,
/// exactly as in Themis (so RSA messages are not sender-authenticated).
pub fn encrypt(
    private_key: &[u8],
    peer_public_key: &[u8],
    message: &[u8],
    random: &EncryptRandom,
) -> Result<Vec<u8>, ThemisError> {
    if message.is_empty() {
        return Err(ThemisError::Empty);
    }
    let keys = key_pair(private_key, peer_public_key)?;
    // The whole message must fit the u32 total_length: headers, a wrapped key of at most
    // 1024 bytes and the token take less than 2 KiB.
    let n = u32::try_from(message.len())
        .ok()
        .filter(|n| *n <= u32::MAX - 2048)
        .ok_or(ThemisError::TooLong(message.len()))?;
    let iv: &[u8; IV_LEN] = &random.iv;
    let seal = |master: &[u8]| cell::seal_with_key(&kdf::cell_key(master, n), iv, message);
    let (message_type, wrapped_key, cell) = match keys {
        (Key::EcPrivate(d), Key::EcPublic(q)) => {
            (MessageType::EcEncrypted, None, seal(&d.ecdh(&q)?))
        }
        (Key::RsaPrivate(_), Key::RsaPublic(peer)) => {
            let wrapped = rsa::oaep_encrypt(&peer, &random.secret, &random.oaep_seed)?;
            (
                MessageType::RsaEncrypted,
                Some(wrapped),
                seal(&random.secret),
            )
        }
        _ => return Err(ThemisError::KeyMismatch("one key is EC and the other RSA")),
    };
    Ok(EncryptedMessage {
        message_type: message_type.value(),
        wrapped_key,
        cell,
    }
    .to_bytes())
}

/// Decrypts a message sent to the owner of `private_key` by the owner of `peer_public_key`.
///
/// For RSA messages the public key must be a valid RSA public key but is otherwise ignored,
/// as in Themis. The framing is checked strictly before any cryptography runs.
pub fn decrypt(
    private_key: &[u8],
    peer_public_key: &[u8],
    encrypted: &[u8],
) -> Result<Vec<u8>, ThemisError> {
    let (own, peer) = key_pair(private_key, peer_public_key)?;
    let mut d = Dissection::default();
    let ty = message::read_type(
        encrypted,
        &[MessageType::EcEncrypted, MessageType::RsaEncrypted],
        "an EC or RSA encrypted message type",
        &mut d,
    )?;
    if ty.is_ec() != own.kind().is_ec() {
        return Err(ThemisError::KeyMismatch(if ty.is_ec() {
            "the message is EC-encrypted but the keys are RSA keys"
        } else {
            "the message is RSA-encrypted but the keys are EC keys"
        }));
    }
    let wrapped_len = match &own {
        Key::RsaPrivate(k) => Some(k.size()),
        _ => None,
    };
    let view = message::parse_encrypted(encrypted, ty, wrapped_len, &mut d)?;
    match (own, peer) {
        (Key::EcPrivate(d), Key::EcPublic(q)) => {
            let shared = d.ecdh(&q)?;
            cell::open(&shared, &view.cell)
        }
        (Key::RsaPrivate(k), Key::RsaPublic(_)) => {
            // parse_encrypted has checked its length against the modulus.
            let wrapped = view.wrapped_key.unwrap_or(&[]);
            let secret = rsa::oaep_decrypt(&k, wrapped)?;
            // Themis always wraps 70 bytes; anything else is not a Themis message, and is
            // reported like any other unwrap failure.
            if secret.len() != RSA_SECRET_LEN {
                return Err(ThemisError::KeyUnwrap);
            }
            cell::open(&secret, &view.cell)
        }
        _ => Err(ThemisError::KeyMismatch("one key is EC and the other RSA")),
    }
}
