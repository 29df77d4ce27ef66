//! What a [`Check`] means: a randomised output (a signature, a body sealed with fresh
//! randomness) is judged by opening or verifying it with the reference's decoders, since no
//! exact output can be recorded.

use super::{Check, MixinRecipient};
use crate::mixin;
use serde_json::Value;

fn hex_field(v: &Value, name: &str) -> Result<Vec<u8>, String> {
    let s = v
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the output has no hex field {name:?}"))?;
    crate::wire::from_hex(s).map_err(|e| format!("{name}: {e}"))
}

impl Check {
    /// Whether a randomised output `got` of `op` with `args` passes this check: opened or
    /// verified with the reference, and laid out as the args imply.
    pub fn holds(&self, op: &str, args: &Value, got: &Value) -> Result<(), String> {
        match self {
            Check::MixinDecrypt { recipients } => check_mixin_body(args, recipients, got),
            Check::ThemisVerify { public_key } => {
                let signed = hex_field(got, "signed")?;
                let key = crate::wire::from_hex(public_key)?;
                let message = crate::themis::verify(&key, &signed).map_err(|e| {
                    format!("the signed message does not verify with the reference: {e}")
                })?;
                expect_same(&message, &hex_field(args, "message")?, "verified message")
            }
            Check::ThemisDecrypt {
                private_key,
                peer_public_key,
            } => {
                let encrypted = hex_field(got, "encrypted")?;
                let message = crate::themis::decrypt(
                    &crate::wire::from_hex(private_key)?,
                    &crate::wire::from_hex(peer_public_key)?,
                    &encrypted,
                )
                .map_err(|e| format!("{op}: the reference cannot decrypt the output: {e}"))?;
                expect_same(&message, &hex_field(args, "message")?, "decrypted message")
            }
        }
    }
}

fn expect_same(got: &[u8], want: &[u8], what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "the {what} differs from the input ({} bytes instead of {})",
            got.len(),
            want.len()
        ))
    }
}

fn check_mixin_body(
    args: &Value,
    recipients: &[MixinRecipient],
    got: &Value,
) -> Result<(), String> {
    let body_bytes = hex_field(got, "body")?;
    let body =
        mixin::Body::parse(&body_bytes).map_err(|e| format!("the body does not parse: {e}"))?;
    let plaintext = hex_field(args, "plaintext")?;
    let sessions = args
        .get("sessions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if usize::from(body.session_count) != sessions.len() {
        return Err(format!(
            "session count {} for {} sessions",
            body.session_count,
            sessions.len()
        ));
    }
    for (i, (block, s)) in body.blocks.iter().zip(&sessions).enumerate() {
        let id = s
            .get("session_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let want = uuid::Uuid::parse_str(id)
            .map(|u| u.into_bytes())
            .map_err(|e| e.to_string())?;
        if block.session_id != want {
            return Err(format!(
                "block {i} carries session {} instead of {id}",
                block.session_id_string()
            ));
        }
    }
    let seed = mixin::keys::seed(&hex_field(args, "private_key")?).map_err(|e| e.to_string())?;
    let sender = mixin::keys::public_to_x25519(&mixin::keys::ed25519_public(&seed))
        .map_err(|e| e.to_string())?;
    if body.sender_key != sender {
        return Err("the header key is not the sender's key in Montgomery form".into());
    }
    if body.sealed.len() != plaintext.len() + 16 {
        return Err(format!(
            "ciphertext and tag are {} bytes for {} bytes of plaintext",
            body.sealed.len(),
            plaintext.len()
        ));
    }
    for r in recipients {
        let key = crate::wire::from_hex(&r.private_key)?;
        let opened = mixin::decrypt(&key, &r.session_id, &body_bytes)
            .map_err(|e| format!("session {} cannot open the body: {e}", r.session_id))?;
        expect_same(&opened, &plaintext, "decrypted plaintext")?;
    }
    Ok(())
}
