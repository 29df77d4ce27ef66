//! The reference behind PROTOCOL.md's ops: JSON args in, JSON reply out.
//!
//! Argument decoding lives here, once, so `serve`, the in-process harness and the fuzz
//! targets all see the reference through the same door.

use super::Implementation;
use crate::mixin::{self, MixinError};
use crate::protocol::{Failure, Hello, Reply, OPS};
use crate::themis::{self, ThemisError};
use rand_core::{CryptoRng, OsRng, RngCore};
use serde_json::{json, Value};

/// The error code of a request whose args do not have PROTOCOL.md's shape.
pub const BAD_ARGS: &str = "bad_args";

/// A source of randomness for ops called without injected `random`.
pub trait Rng: RngCore + CryptoRng + Send {}
impl<T: RngCore + CryptoRng + Send> Rng for T {}

/// The reference implementation as an [`Implementation`].
pub struct Reference {
    rng: Box<dyn Rng>,
}

impl Default for Reference {
    fn default() -> Self {
        Reference {
            rng: Box::new(OsRng),
        }
    }
}

impl Reference {
    /// A reference that draws from `rng` when a request carries no `random`; a seeded rng makes
    /// every answer reproducible.
    pub fn with_rng(rng: impl Rng + 'static) -> Self {
        Reference { rng: Box::new(rng) }
    }
}

impl Implementation for Reference {
    fn hello(&mut self) -> Result<Hello, String> {
        Ok(Hello {
            name: "sealcheck-reference".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            ops: OPS.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure> {
        Ok(self.answer(op, args))
    }
}

impl Reference {
    /// Answers one op; the reference always replies.
    pub fn answer(&mut self, op: &str, args: &Value) -> Reply {
        let args = Args(args);
        let result = match op {
            "mixin.encrypt" => mixin_encrypt(&args, &mut *self.rng),
            "mixin.decrypt" => mixin_decrypt(&args),
            "mixin.checksum" => mixin_checksum(&args),
            "mixin.convert_public_key" => mixin_convert_public(&args),
            "mixin.convert_private_key" => mixin_convert_private(&args),
            "themis.key.check" => themis_key_check(&args),
            "themis.sign" => themis_sign(&args, &mut *self.rng),
            "themis.verify" => themis_verify(&args),
            "themis.encrypt" => themis_encrypt(&args, &mut *self.rng),
            "themis.decrypt" => themis_decrypt(&args),
            _ => return Reply::Unsupported(format!("the reference has no op {op:?}")),
        };
        match result {
            Ok(v) => Reply::Ok(v),
            Err(reply) => reply,
        }
    }
}

impl From<MixinError> for Reply {
    fn from(e: MixinError) -> Reply {
        Reply::error(e.to_string(), None, Some(e.stage()))
    }
}

impl From<ThemisError> for Reply {
    fn from(e: ThemisError) -> Reply {
        Reply::error(e.to_string(), None, Some(e.stage()))
    }
}

fn bad_args(message: String) -> Reply {
    Reply::error(message, Some(BAD_ARGS), None)
}

/// Typed access to an op's `args` object; every failure is a `bad_args` reply.
struct Args<'a>(&'a Value);

impl<'a> Args<'a> {
    fn get(&self, name: &str) -> Result<&'a Value, Reply> {
        self.0
            .get(name)
            .ok_or_else(|| bad_args(format!("missing argument {name:?}")))
    }

    fn str(&self, name: &str) -> Result<&'a str, Reply> {
        as_str(self.get(name)?, name)
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, Reply> {
        hex_value(self.get(name)?, name)
    }

    fn array(&self, name: &str) -> Result<&'a Vec<Value>, Reply> {
        self.get(name)?
            .as_array()
            .ok_or_else(|| bad_args(format!("argument {name:?} must be an array")))
    }
}

fn as_str<'a>(v: &'a Value, name: &str) -> Result<&'a str, Reply> {
    v.as_str()
        .ok_or_else(|| bad_args(format!("argument {name:?} must be a string")))
}

fn hex_value(v: &Value, name: &str) -> Result<Vec<u8>, Reply> {
    crate::wire::from_hex(as_str(v, name)?).map_err(|e| bad_args(format!("argument {name:?}: {e}")))
}

fn fixed<const N: usize>(v: &Value, name: &str) -> Result<[u8; N], Reply> {
    let bytes = hex_value(v, name)?;
    bytes.as_slice().try_into().map_err(|_| {
        bad_args(format!(
            "argument {name:?} must be {N} bytes, got {}",
            bytes.len()
        ))
    })
}

fn mixin_encrypt(args: &Args, rng: &mut dyn Rng) -> Result<Value, Reply> {
    let seed = args.bytes("private_key")?;
    let plaintext = args.bytes("plaintext")?;
    let mut recipients = Vec::new();
    for (i, s) in args.array("sessions")?.iter().enumerate() {
        let s = Args(s);
        let id = s.str("session_id")?;
        // RFC 4122's string form only, in either case: Go's uuid.FromString also reads 32
        // digits, braces and urn:uuid:, the official clients' parsers do not, and the
        // reference takes the strict side (vectors/policy.json, mixin.encrypt/session-id-form).
        let id = uuid::Uuid::parse_str(id)
            .map_err(|e| e.to_string())
            .and_then(|u| {
                (id.len() == 36)
                    .then_some(u)
                    .ok_or_else(|| "not the hyphenated 8-4-4-4-12 form of RFC 4122".to_owned())
            })
            .map_err(|e| bad_args(format!("sessions[{i}].session_id {id:?}: {e}")))?;
        recipients.push(mixin::Recipient {
            session_id: id.into_bytes(),
            public_key: s.bytes("public_key")?,
        });
    }
    let random = match args.0.get("random") {
        None | Some(Value::Null) => mixin::Randomness::generate(rng, recipients.len()),
        Some(r) => {
            let r = Args(r);
            mixin::Randomness {
                message_key: fixed(r.get("message_key")?, "random.message_key")?,
                nonce: fixed(r.get("nonce")?, "random.nonce")?,
                ivs: r
                    .array("ivs")?
                    .iter()
                    .map(|iv| fixed(iv, "random.ivs[]"))
                    .collect::<Result<_, _>>()?,
            }
        }
    };
    let body = mixin::encrypt(&seed, &recipients, &plaintext, &random)?;
    Ok(json!({ "body": hex::encode(body) }))
}

fn mixin_decrypt(args: &Args) -> Result<Value, Reply> {
    let plaintext = mixin::decrypt(
        &args.bytes("private_key")?,
        args.str("session_id")?,
        &args.bytes("body")?,
    )?;
    Ok(json!({ "plaintext": hex::encode(plaintext) }))
}

fn mixin_checksum(args: &Args) -> Result<Value, Reply> {
    let ids = args
        .array("session_ids")?
        .iter()
        .map(|v| as_str(v, "session_ids[]"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "checksum": mixin::checksum(&ids) }))
}

fn mixin_convert_public(args: &Args) -> Result<Value, Reply> {
    let key = args.bytes("public_key")?;
    let key = mixin::keys::public_key(&key, "ed25519")?;
    let x = mixin::keys::public_to_x25519(&key)?;
    Ok(json!({ "public_key": hex::encode(x) }))
}

fn mixin_convert_private(args: &Args) -> Result<Value, Reply> {
    let seed = mixin::keys::seed(&args.bytes("private_key")?)?;
    Ok(json!({ "private_key": hex::encode(mixin::keys::private_to_x25519(&seed)) }))
}

fn themis_key_check(args: &Args) -> Result<Value, Reply> {
    let kind = themis::key_check(&args.bytes("key")?)?;
    Ok(json!({ "kind": kind.as_str() }))
}

fn themis_sign(args: &Args, rng: &mut dyn Rng) -> Result<Value, Reply> {
    let signed = themis::sign(
        &args.bytes("private_key")?,
        &args.bytes("message")?,
        &mut &mut *rng,
    )?;
    Ok(json!({ "signed": hex::encode(signed) }))
}

fn themis_verify(args: &Args) -> Result<Value, Reply> {
    let message = themis::verify(&args.bytes("public_key")?, &args.bytes("signed")?)?;
    Ok(json!({ "message": hex::encode(message) }))
}

fn themis_encrypt(args: &Args, rng: &mut dyn Rng) -> Result<Value, Reply> {
    let private_key = args.bytes("private_key")?;
    let random = match args.0.get("random") {
        None | Some(Value::Null) => themis::EncryptRandom::from_rng(&mut &mut *rng),
        Some(r) => {
            let r = Args(r);
            // EC keys need only the IV; RSA keys also the Secure Cell secret and OAEP seed.
            let rsa = matches!(
                themis::key_check(&private_key),
                Ok(themis::KeyKind::RsaPrivate | themis::KeyKind::RsaPublic)
            );
            let optional = |name: &str| r.0.get(name).filter(|v| !v.is_null());
            let secret = match optional("secret") {
                Some(v) => fixed(v, "random.secret")?,
                None if rsa => {
                    return Err(bad_args("random.secret is required with RSA keys".into()))
                }
                None => [0; 70],
            };
            let oaep_seed = match optional("oaep_seed") {
                Some(v) => fixed(v, "random.oaep_seed")?,
                None if rsa => {
                    return Err(bad_args(
                        "random.oaep_seed is required with RSA keys".into(),
                    ))
                }
                None => [0; 20],
            };
            themis::EncryptRandom {
                iv: fixed(r.get("iv")?, "random.iv")?,
                secret,
                oaep_seed,
            }
        }
    };
    let encrypted = themis::encrypt(
        &private_key,
        &args.bytes("peer_public_key")?,
        &args.bytes("message")?,
        &random,
    )?;
    Ok(json!({ "encrypted": hex::encode(encrypted) }))
}

fn themis_decrypt(args: &Args) -> Result<Value, Reply> {
    let message = themis::decrypt(
        &args.bytes("private_key")?,
        &args.bytes("peer_public_key")?,
        &args.bytes("encrypted")?,
    )?;
    Ok(json!({ "message": hex::encode(message) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Stage;

    fn call(op: &str, args: Value) -> Reply {
        Reference::default().answer(op, &args)
    }

    #[test]
    fn bad_args_have_no_stage() {
        for (op, args) in [
            ("mixin.decrypt", json!({})),
            (
                "mixin.decrypt",
                json!({"private_key": "zz", "session_id": "a", "body": ""}),
            ),
            ("mixin.checksum", json!({"session_ids": "x"})),
            (
                "mixin.encrypt",
                json!({"private_key": "00", "plaintext": "", "sessions": [{"session_id": "nope", "public_key": ""}]}),
            ),
        ] {
            match call(op, args) {
                Reply::Error { code, stage, .. } => {
                    assert_eq!(code.as_deref(), Some(BAD_ARGS));
                    assert_eq!(stage, None);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn encrypt_takes_session_ids_in_rfc_4122_form_only() {
        let with = |id: &str| {
            call(
                "mixin.encrypt",
                json!({"private_key": "00", "plaintext": "", "sessions": [{"session_id": id, "public_key": "00"}]}),
            )
        };
        let id = "0f3c6c2a-5b1e-4c7d-9a28-1d4e6f8a9b01";
        for bad in [
            id.replace('-', ""),
            format!("{{{id}}}"),
            format!("urn:uuid:{id}"),
        ] {
            match with(&bad) {
                Reply::Error { code, message, .. } => {
                    assert_eq!(code.as_deref(), Some(BAD_ARGS), "{bad}");
                    assert!(message.contains("8-4-4-4-12"), "{message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        for good in [id.to_owned(), id.to_uppercase()] {
            // Past the id: the 1-byte seed is what fails.
            match with(&good) {
                Reply::Error { code, .. } => assert_ne!(code.as_deref(), Some(BAD_ARGS), "{good}"),
                other => panic!("{good}: {other:?}"),
            }
        }
    }

    #[test]
    fn library_errors_carry_their_stage() {
        match call(
            "mixin.decrypt",
            json!({"private_key": "00", "session_id": "a", "body": ""}),
        ) {
            Reply::Error { stage, .. } => assert_eq!(stage, Some(Stage::Key)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_op_is_unsupported() {
        assert!(matches!(
            call("mixin.nope", json!({})),
            Reply::Unsupported(_)
        ));
    }

    #[test]
    fn encrypt_with_injected_randomness_is_reproducible_and_decrypts() {
        let seed = [5u8; 32];
        let x_public = mixin::keys::x25519_base(&mixin::keys::private_to_x25519(&seed));
        let id = "ebf59efa-7e44-4799-a014-99ecd2ae1579";
        let args = json!({
            "private_key": hex::encode([9u8; 32]),
            "sessions": [{"session_id": id.to_uppercase(), "public_key": hex::encode(x_public)}],
            "plaintext": "4c41",
            "random": {"message_key": "00".repeat(16), "nonce": "11".repeat(12), "ivs": ["22".repeat(16)]}
        });
        let a = call("mixin.encrypt", args.clone());
        assert_eq!(a, call("mixin.encrypt", args));
        let Reply::Ok(v) = a else { panic!("{a:?}") };
        let body = v["body"].as_str().unwrap().to_owned();
        let r = call(
            "mixin.decrypt",
            json!({"private_key": hex::encode(seed), "session_id": id, "body": body}),
        );
        assert_eq!(r, Reply::Ok(json!({"plaintext": "4c41"})));
    }
}
