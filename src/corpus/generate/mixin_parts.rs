//! The pieces every Mixin builder draws on: recipient parties, randomness in the SDKs' order,
//! PROTOCOL.md args, printable plaintexts and the low-order points.

use super::gen::Gen;
use crate::corpus::Note;
use crate::mixin::{self as mx, keys, Randomness, Recipient};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A recipient session: its ed25519 seed and its session id (lowercase, hyphenated).
#[derive(Clone)]
pub(super) struct Party {
    pub seed: [u8; 32],
    pub id: String,
}

impl Party {
    pub fn new(g: &mut Gen) -> Self {
        Party {
            seed: g.array(),
            id: g.uuid(),
        }
    }

    /// The session's X25519 public key, as the API hands it out.
    pub fn public(&self) -> [u8; 32] {
        x_public(&self.seed)
    }

    pub fn session(&self) -> (String, Vec<u8>) {
        (self.id.clone(), self.public().to_vec())
    }
}

/// The X25519 public key of an ed25519 seed.
pub(super) fn x_public(seed: &[u8; 32]) -> [u8; 32] {
    keys::x25519_base(&keys::private_to_x25519(seed))
}

/// Fresh randomness for `n` sessions, in the SDKs' order.
pub(super) fn draw_random(g: &mut Gen, n: usize) -> Randomness {
    Randomness {
        message_key: g.array(),
        nonce: g.array(),
        ivs: (0..n).map(|_| g.array()).collect(),
    }
}

pub(super) fn random_json(r: &Randomness) -> Value {
    json!({
        "message_key": hex::encode(r.message_key),
        "nonce": hex::encode(r.nonce),
        "ivs": r.ivs.iter().map(hex::encode).collect::<Vec<_>>(),
    })
}

/// PROTOCOL.md args of `mixin.encrypt`.
pub(super) fn encrypt_args(
    sender: &[u8],
    sessions: &[(String, Vec<u8>)],
    plaintext: &[u8],
    random: Option<&Randomness>,
) -> Value {
    let mut args = json!({
        "private_key": hex::encode(sender),
        "sessions": sessions
            .iter()
            .map(|(id, key)| json!({"session_id": id, "public_key": hex::encode(key)}))
            .collect::<Vec<_>>(),
        "plaintext": hex::encode(plaintext),
    });
    if let Some(r) = random {
        args["random"] = random_json(r);
    }
    args
}

/// PROTOCOL.md args of `mixin.decrypt`.
pub(super) fn decrypt_args(seed: &[u8], session_id: &str, body: &[u8]) -> Value {
    json!({"private_key": hex::encode(seed), "session_id": session_id, "body": hex::encode(body)})
}

/// Encrypts with the reference directly (cheaper than a JSON round trip).
pub(super) fn seal(
    sender: &[u8],
    sessions: &[(String, Vec<u8>)],
    plaintext: &[u8],
    random: &Randomness,
) -> Result<Vec<u8>, String> {
    let recipients: Vec<Recipient> = sessions
        .iter()
        .map(|(id, key)| Recipient {
            session_id: uuid::Uuid::parse_str(id)
                .map(|u| u.into_bytes())
                .unwrap_or_default(),
            public_key: key.clone(),
        })
        .collect();
    mx::encrypt(sender, &recipients, plaintext, random).map_err(|e| e.to_string())
}

const TEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?-'";

/// `len` bytes of printable ASCII: a plaintext every implementation can return as a string.
pub(super) fn text(g: &mut Gen, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| TEXT[g.below(TEXT.len() as u64) as usize])
        .collect()
}

/// Low-order X25519 u-coordinates (and non-canonical encodings of them), with names.
pub(super) const LOW_ORDER_U: [(&str, &str); 8] = [
    (
        "zero",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "one",
        "0100000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "order-8-a",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ),
    (
        "order-8-b",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    ),
    (
        "p-minus-1",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ),
    (
        "p-noncanonical-zero",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ),
    (
        "p-plus-1-noncanonical-one",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ),
    (
        "zero-high-bit",
        "0000000000000000000000000000000000000000000000000000000000000080",
    ),
];

pub(super) fn h32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(v) = hex::decode(s) {
        out.iter_mut().zip(v).for_each(|(o, b)| *o = b);
    }
    out
}

pub(super) fn notes(list: &[(&str, Note)]) -> BTreeMap<String, Note> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}
