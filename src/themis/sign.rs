//! Signed Secure Messages: sign and verify (spec §3).

use super::ec::EcPublic;
use super::error::ThemisError;
use super::keys::{parse_key, Key};
use super::message::{self, MessageType, SignedMessage};
use super::rsa;
use crate::wire::{Codec, Dissection};
use ::rsa::traits::PublicKeyParts;
use ::rsa::RsaPublicKey;

/// Frames a signed message: type, message_length, signature_length, plaintext, signature.
fn frame(ty: MessageType, message: &[u8], signature: &[u8]) -> Result<Vec<u8>, ThemisError> {
    for part in [message, signature] {
        u32::try_from(part.len()).map_err(|_| ThemisError::TooLong(part.len()))?;
    }
    Ok(SignedMessage {
        message_type: ty.value(),
        plaintext: message.to_vec(),
        signature: signature.to_vec(),
        padding: Vec::new(),
    }
    .to_bytes())
}

/// Signs `message` with an EC or RSA private key.
///
/// EC: ECDSA-SHA256 with an RFC 6979 nonce (deterministic; `rng` is not used), DER signature.
/// RSA: PSS-SHA256 with the largest salt, drawn from `rng`. The signature covers only the
/// plaintext, as in Themis.
pub fn sign(
    private_key: &[u8],
    message: &[u8],
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<Vec<u8>, ThemisError> {
    // Themis refuses an empty message before it looks at the key.
    if message.is_empty() {
        return Err(ThemisError::Empty);
    }
    match parse_key(private_key)? {
        Key::EcPrivate(d) => frame(MessageType::EcSigned, message, &d.sign(message)),
        Key::RsaPrivate(k) => frame(
            MessageType::RsaSigned,
            message,
            &rsa::pss_sign(&k, message, rng)?,
        ),
        other => Err(ThemisError::KeyKind {
            expected: "EC or RSA private",
            got: other.kind(),
        }),
    }
}

/// Checks a signed message and returns its plaintext.
///
/// Accepts everything Themis writes (high-S, any PSS salt, legacy zero padding after the
/// signature) and is strict where Themis is merely lenient: the type must be exactly the
/// EC or RSA signed type of the key, and trailing bytes must be legacy zero padding.
pub fn verify(public_key: &[u8], signed: &[u8]) -> Result<Vec<u8>, ThemisError> {
    enum Verifier {
        Ec(EcPublic),
        Rsa(RsaPublicKey),
    }
    let key = match parse_key(public_key)? {
        Key::EcPublic(q) => Verifier::Ec(q),
        Key::RsaPublic(k) => Verifier::Rsa(k),
        other => {
            return Err(ThemisError::KeyKind {
                expected: "EC or RSA public",
                got: other.kind(),
            })
        }
    };
    let (is_ec, max_signature) = match &key {
        Verifier::Ec(q) => (true, q.curve().max_der_len()),
        Verifier::Rsa(k) => (false, k.size()),
    };
    let mut d = Dissection::default();
    let ty = message::read_type(
        signed,
        &[MessageType::EcSigned, MessageType::RsaSigned],
        "an EC or RSA signed message type",
        &mut d,
    )?;
    if ty.is_ec() != is_ec {
        return Err(ThemisError::KeyMismatch(if is_ec {
            "the message is RSA-signed but the key is an EC key"
        } else {
            "the message is EC-signed but the key is an RSA key"
        }));
    }
    let view = message::parse_signed(signed, ty, Some(max_signature), &mut d)?;
    match &key {
        Verifier::Ec(q) => q.verify(view.plaintext, view.signature)?,
        Verifier::Rsa(k) => rsa::pss_verify(k, view.plaintext, view.signature)?,
    }
    Ok(view.plaintext.to_vec())
}
