//! The Themis remote party (docs/PEER.md, "Themis"): what the old Themis Server simulator
//! offered. A client sends a Secure Message, encrypted to the peer with the client's key pair
//! or signed with it, and gets the verdict, the dissection, the plaintext and a reply made
//! the same way back to the client.

use super::dissection::{dissection_json, DissectionJson};
use crate::themis::{self, KeyKind, ThemisError};
use crate::wire::{from_hex, Stage};
use rand_core::{CryptoRng, RngCore};
use serde::Serialize;

/// The peer's Themis keys, decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerKeys {
    /// `REC2`.
    pub ec_private: Vec<u8>,
    /// `UEC2`.
    pub ec_public: Vec<u8>,
    /// `RRAx`.
    pub rsa_private: Vec<u8>,
    /// `URAx`.
    pub rsa_public: Vec<u8>,
}

impl PeerKeys {
    /// From checked fixtures (their hex is known good).
    pub fn from_fixtures(keys: &super::fixtures::ThemisKeys) -> PeerKeys {
        let h = |s: &str| from_hex(s).unwrap_or_default();
        PeerKeys {
            ec_private: h(&keys.ec.private_key),
            ec_public: h(&keys.ec.public_key),
            rsa_private: h(&keys.rsa.private_key),
            rsa_public: h(&keys.rsa.public_key),
        }
    }

    fn pair(&self, ec: bool) -> (&[u8], &[u8]) {
        if ec {
            (&self.ec_private, &self.ec_public)
        } else {
            (&self.rsa_private, &self.rsa_public)
        }
    }
}

/// The reply the peer sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// `encrypted` (to the client's public key) or `signed` (by the peer's key).
    pub mode: &'static str,
    /// The reply message.
    #[serde(serialize_with = "super::dissection::as_hex")]
    pub message: Vec<u8>,
    /// What the reply says.
    #[serde(serialize_with = "super::dissection::as_text")]
    pub plaintext: Vec<u8>,
    /// The peer public key that verifies it or that it was encrypted with.
    #[serde(serialize_with = "super::dissection::as_hex")]
    pub peer_public_key: Vec<u8>,
    /// The reply, dissected.
    pub dissection: DissectionJson,
}

/// Everything the peer says about a client's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// `valid` when the message verified or decrypted, else `invalid`.
    pub verdict: &'static str,
    /// What the message claims to be (`EC encrypted`, …), when its type is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The canonical stage of the rejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The rejection in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The message as `sealcheck inspect` lays it out.
    pub dissection: DissectionJson,
    /// The plaintext, when the message was valid.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_text")]
    pub plaintext: Option<Vec<u8>>,
    /// The peer's answer, when the message was valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
}

fn opt_text<S: serde::Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => super::dissection::as_text(b, s),
        None => s.serialize_none(),
    }
}

/// What the reply says: the peer's words and then the client's plaintext, so the client can
/// check the round trip.
pub fn reply_text(plaintext: &[u8]) -> Vec<u8> {
    let mut out = b"sealcheck peer received: ".to_vec();
    out.extend_from_slice(plaintext);
    out
}

/// Handles one message from the owner of `client_public`.
///
/// The message type picks the operation: a signed message is verified with the client's key
/// and answered with a message signed by the peer's key of the same family; an encrypted one
/// is decrypted with the peer's private key and the client's public key, and answered with a
/// message encrypted from the peer to the client.
pub fn exchange<R: RngCore + CryptoRng>(
    keys: &PeerKeys,
    message: &[u8],
    client_public: &[u8],
    rng: &mut R,
) -> Exchange {
    let dissection = dissection_json(&crate::inspect::dissect(message, Some("themis")), message);
    let raw_type = message
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes);
    let ty = raw_type.and_then(themis::MessageType::from_u32);
    let mut answer = Exchange {
        verdict: "invalid",
        kind: ty.map(themis::MessageType::name),
        stage: None,
        reason: None,
        dissection,
        plaintext: None,
        reply: None,
    };
    let reject = |mut a: Exchange, stage: Stage, reason: String| {
        a.stage = Some(stage);
        a.reason = Some(reason);
        a
    };
    let Some(ty) = ty else {
        let why = match raw_type {
            None if message.is_empty() => {
                return reject(answer, Stage::Empty, "the message is empty".into())
            }
            None => "the message is shorter than its 4-byte type".to_string(),
            Some(t) => format!("message type {t:#010x} is none of the four Secure Message types"),
        };
        return reject(answer, Stage::Header, why);
    };
    match themis::key_check(client_public) {
        Err(e) => {
            return reject(answer, Stage::Key, format!("your public key: {e}"));
        }
        Ok(kind) if kind.is_private() => {
            return reject(
                answer,
                Stage::KeyKind,
                format!("that is your {kind} key: send the public key, and keep the private one"),
            );
        }
        Ok(kind) if kind.is_ec() != ty.is_ec() => {
            return reject(
                answer,
                Stage::KeyKind,
                format!(
                    "an {} message needs an {} public key, and yours is {kind}",
                    ty.name(),
                    if ty.is_ec() { "EC" } else { "RSA" }
                ),
            );
        }
        Ok(_) => {}
    }
    let (peer_private, peer_public) = keys.pair(ty.is_ec());
    let opened: Result<Vec<u8>, ThemisError> = if ty.is_signed() {
        themis::verify(client_public, message)
    } else {
        themis::decrypt(peer_private, client_public, message)
    };
    let plaintext = match opened {
        Ok(p) => p,
        Err(e) => return reject(answer, e.stage(), e.to_string()),
    };
    let text = reply_text(&plaintext);
    let made = if ty.is_signed() {
        themis::sign(peer_private, &text, rng)
    } else {
        themis::encrypt(
            peer_private,
            client_public,
            &text,
            &themis::EncryptRandom::from_rng(rng),
        )
    };
    answer.verdict = "valid";
    answer.plaintext = Some(plaintext);
    match made {
        Ok(bytes) => {
            let d = dissection_json(&crate::inspect::dissect(&bytes, Some("themis")), &bytes);
            answer.reply = Some(Reply {
                mode: if ty.is_signed() {
                    "signed"
                } else {
                    "encrypted"
                },
                message: bytes,
                plaintext: text,
                peer_public_key: peer_public.to_vec(),
                dissection: d,
            });
        }
        // The client's key verified or decrypted a message, so it is good; a failure here
        // would be the peer's own, and is said rather than hidden.
        Err(e) => answer.reason = Some(format!("the peer could not make its reply: {e}")),
    }
    answer
}

/// The public keys a client fetches first.
pub fn public_keys(keys: &PeerKeys) -> serde_json::Value {
    let describe = |k: &[u8]| {
        serde_json::json!({
            "public_key": crate::wire::to_hex(k),
            "public_key_base64": crate::wire::to_base64_std(k),
            "kind": themis::key_check(k).map(KeyKind::as_str).unwrap_or("invalid"),
            "container": crate::inspect::dissect(k, Some("themis")).title,
        })
    };
    serde_json::json!({ "ec": describe(&keys.ec_public), "rsa": describe(&keys.rsa_public) })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::Fixtures;
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn keys() -> PeerKeys {
        PeerKeys::from_fixtures(Fixtures::from_seed(4).themis.as_ref().unwrap())
    }

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(99)
    }

    #[test]
    fn ec_encrypted_round_trip() {
        let peer = keys();
        let mut r = rng();
        let (client_private, client_public) = themis::generate_ec_keypair(&mut r);
        let msg = themis::encrypt(
            &client_private,
            &peer.ec_public,
            b"hello peer",
            &themis::EncryptRandom::from_rng(&mut r),
        )
        .unwrap();
        let a = exchange(&peer, &msg, &client_public, &mut r);
        assert_eq!(a.verdict, "valid", "{:?}", a.reason);
        assert_eq!(a.kind, Some("EC encrypted"));
        assert_eq!(a.plaintext.as_deref(), Some(&b"hello peer"[..]));
        assert!(a.dissection.problem.is_none());
        let reply = a.reply.unwrap();
        assert_eq!(reply.mode, "encrypted");
        // The client opens the reply with its private key and the peer's public key.
        let opened = themis::decrypt(&client_private, &peer.ec_public, &reply.message).unwrap();
        assert_eq!(opened, b"sealcheck peer received: hello peer");
    }

    #[test]
    fn signed_messages_get_signed_replies_in_both_families() {
        let peer = keys();
        let mut r = rng();
        let (ec_private, ec_public) = themis::generate_ec_keypair(&mut r);
        let (rsa_private, rsa_public) = themis::generate_rsa_keypair(1024, &mut r).unwrap();
        for (private, public, peer_public) in [
            (&ec_private, &ec_public, &peer.ec_public),
            (&rsa_private, &rsa_public, &peer.rsa_public),
        ] {
            let msg = themis::sign(private, b"signed hello", &mut r).unwrap();
            let a = exchange(&peer, &msg, public, &mut r);
            assert_eq!(a.verdict, "valid", "{:?}", a.reason);
            let reply = a.reply.unwrap();
            assert_eq!(reply.mode, "signed");
            assert_eq!(
                themis::verify(peer_public, &reply.message).unwrap(),
                b"sealcheck peer received: signed hello"
            );
        }
    }

    #[test]
    fn rsa_encrypted_round_trip() {
        let peer = keys();
        let mut r = rng();
        let (client_private, client_public) = themis::generate_rsa_keypair(1024, &mut r).unwrap();
        let msg = themis::encrypt(
            &client_private,
            &peer.rsa_public,
            b"rsa hello",
            &themis::EncryptRandom::from_rng(&mut r),
        )
        .unwrap();
        let a = exchange(&peer, &msg, &client_public, &mut r);
        assert_eq!(a.verdict, "valid", "{:?}", a.reason);
        let reply = a.reply.unwrap();
        assert_eq!(
            themis::decrypt(&client_private, &peer.rsa_public, &reply.message).unwrap(),
            b"sealcheck peer received: rsa hello"
        );
    }

    #[test]
    fn defects_are_named_with_their_stage() {
        let peer = keys();
        let mut r = rng();
        let (client_private, client_public) = themis::generate_ec_keypair(&mut r);
        let (_, stranger_public) = themis::generate_ec_keypair(&mut r);
        let msg = themis::encrypt(
            &client_private,
            &peer.ec_public,
            b"x",
            &themis::EncryptRandom::from_rng(&mut r),
        )
        .unwrap();
        // Claimed by another client: the ECDH secret differs, the tag fails.
        let a = exchange(&peer, &msg, &stranger_public, &mut r);
        assert_eq!(
            (a.verdict, a.stage),
            ("invalid", Some(Stage::Authentication))
        );
        assert!(a.reply.is_none() && a.plaintext.is_none());
        // The private key by mistake.
        let a = exchange(&peer, &msg, &client_private, &mut r);
        assert_eq!(a.stage, Some(Stage::KeyKind));
        assert!(a.reason.unwrap().contains("send the public key"));
        // An RSA key for an EC message.
        let a = exchange(&peer, &msg, &peer.rsa_public, &mut r);
        assert_eq!(a.stage, Some(Stage::KeyKind));
        // A broken key.
        let mut bad_key = client_public.clone();
        bad_key[9] ^= 1;
        let a = exchange(&peer, &msg, &bad_key, &mut r);
        assert_eq!(a.stage, Some(Stage::Key));
        // A truncated message: the framing fails before any cryptography, and the
        // dissection says the same.
        let a = exchange(&peer, &msg[..msg.len() - 1], &client_public, &mut r);
        assert_eq!(a.stage, Some(Stage::Length));
        assert!(a.dissection.problem.is_some());
        // Not a Secure Message at all, and nothing.
        assert_eq!(
            exchange(&peer, b"hello world", &client_public, &mut r).stage,
            Some(Stage::Header)
        );
        assert_eq!(
            exchange(&peer, b"", &client_public, &mut r).stage,
            Some(Stage::Empty)
        );
        assert_eq!(
            exchange(&peer, b"ab", &client_public, &mut r).stage,
            Some(Stage::Header)
        );
    }

    #[test]
    fn public_keys_describe_themselves() {
        let v = public_keys(&keys());
        assert_eq!(v["ec"]["kind"], "ec_public");
        assert_eq!(v["rsa"]["kind"], "rsa_public");
        assert_eq!(
            v["rsa"]["container"],
            "Themis key container (rsa_public, 2048 bits)"
        );
    }
}
