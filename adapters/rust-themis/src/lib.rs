//! The `themis` crate (0.14.0, over the native Themis C core) as a sealcheck
//! `Implementation`, in process: no child process, no protocol lines, the corpus is run by
//! calling the crate directly. README.md shows how to do the same for your own crate.

// Every path this crate takes from sealcheck, in one place, so that a move of sealcheck's
// modules is a change of these lines only.
pub mod seam {
    pub use sealcheck::corpus::load_embedded;
    pub use sealcheck::engine::{
        execute, execute_accumulated, select, select_accumulated, Expectations, Selection, Status,
        VectorResult,
    };
    pub use sealcheck::iut::{serve, Implementation};
    pub use sealcheck::protocol::{Failure, Hello, Reply};
    pub use sealcheck::report::{to_markdown, Report};
    pub use sealcheck::wire::Stage;
}

pub mod errors;
pub mod rand;

use errors::{ErrorTable, Step};
use seam::{Failure, Hello, Implementation, Reply};
use serde_json::{json, Value};
use themis::keys::{KeyKind, KeyPair, PrivateKey, PublicKey};
use themis::secure_message::{SecureMessage, SecureSign, SecureVerify};

/// The ops the crate offers: all five Secure Message ops (it has a key-check call:
/// `PrivateKey::try_from_slice` / `PublicKey::try_from_slice` validate and classify).
pub const OPS: [&str; 5] = [
    "themis.key.check",
    "themis.sign",
    "themis.verify",
    "themis.encrypt",
    "themis.decrypt",
];

/// The version of the `themis` crate this is built with (Cargo.toml pins it).
pub const CRATE_VERSION: &str = "0.14.0";

/// The Themis core the crate is linked to, as its pkg-config file says.
pub const CORE_VERSION: &str = env!("SEALCHECK_THEMIS_CORE");

/// The expectations file of this build: core 0.12 and core 0.15 differ.
pub fn expectations_path() -> std::path::PathBuf {
    let name = if CORE_VERSION.starts_with("0.12") {
        "expectations-core-0.12.json"
    } else {
        "expectations.json"
    };
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// Vectors whose outcome on this core changes from run to run (unstable-core-0.12.txt says
/// why); left out of every run of this build.
pub fn unstable() -> impl Iterator<Item = &'static str> {
    let list = if CORE_VERSION.starts_with("0.12") {
        include_str!("../unstable-core-0.12.txt")
    } else {
        ""
    };
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Runs the whole embedded corpus (vectors and accumulated families) in process, judged
/// against `expectations`: what `sealcheck run` does, without a child process.
///
/// A vector the expectations file lists as `crashed` is left out: in process, a crash of the
/// core would end the whole run. The child-process run (src/bin/serve.rs) observes those.
pub fn run_corpus(expectations: &seam::Expectations) -> Result<seam::Report, String> {
    let files = seam::load_embedded()?;
    let args = seam::Selection {
        excludes: expectations
            .failures
            .iter()
            .filter(|(_, k)| k.outcome == "crashed")
            .map(|(id, _)| id.clone())
            .chain(unstable().map(str::to_owned))
            .collect(),
        ..Default::default()
    };
    let selected = seam::select(&files, &args);
    let accumulated = seam::select_accumulated(&files, &args);
    let mut imp = RustThemis::new()?;
    let mut results = seam::execute(&mut imp, &selected, false, expectations, &mut |_| {})?;
    results.extend(seam::execute_accumulated(
        &mut imp,
        &accumulated,
        false,
        expectations,
    )?);
    let hello = imp.hello()?;
    Ok(seam::Report::new(
        "themis crate in process (adapters/rust-themis)".into(),
        format!("{} {}", hello.name, hello.version),
        false,
        results,
    ))
}

/// The `themis` crate behind sealcheck's `Implementation` trait.
pub struct RustThemis {
    table: ErrorTable,
}

impl RustThemis {
    /// Uses the error-to-stage table beside the expectations file (errors.json).
    pub fn new() -> Result<Self, String> {
        Ok(RustThemis {
            table: ErrorTable::embedded()?,
        })
    }
}

/// A failed step: which call of the crate refused, and its error.
struct Refusal {
    step: Step,
    error: themis::Error,
}

/// An argument the adapter cannot use, or injected randomness the core did not draw as given.
struct AdapterError(String);

enum Error {
    Themis(Refusal),
    Adapter(AdapterError),
}

fn at(step: Step) -> impl FnOnce(themis::Error) -> Error {
    move |error| Error::Themis(Refusal { step, error })
}

fn hex_arg(args: &Value, name: &str) -> Result<Vec<u8>, Error> {
    let text = args
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Adapter(AdapterError(format!("argument {name:?} missing"))))?;
    hex::decode(text).map_err(|e| Error::Adapter(AdapterError(format!("argument {name:?}: {e}"))))
}

fn kind_name(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::EcdsaPrivate => "ec_private",
        KeyKind::EcdsaPublic => "ec_public",
        KeyKind::RsaPrivate => "rsa_private",
        KeyKind::RsaPublic => "rsa_public",
    }
}

fn key_check(args: &Value) -> Result<Value, Error> {
    let key = hex_arg(args, "key")?;
    if let Ok(k) = PrivateKey::try_from_slice(&key) {
        return Ok(json!({ "kind": kind_name(k.kind()) }));
    }
    let k = PublicKey::try_from_slice(&key).map_err(at(Step::KeyCheck))?;
    Ok(json!({ "kind": kind_name(k.kind()) }))
}

fn key_pair(args: &Value) -> Result<KeyPair, Error> {
    let private =
        PrivateKey::try_from_slice(hex_arg(args, "private_key")?).map_err(at(Step::PrivateKey))?;
    let public = PublicKey::try_from_slice(hex_arg(args, "peer_public_key")?)
        .map_err(at(Step::PublicKey))?;
    KeyPair::try_join(private, public).map_err(at(Step::KeyPair))
}

/// The injected values in the order the core draws them (docs/PROTOCOL.md): EC only the IV;
/// RSA the secret, then the OAEP seed (inside OpenSSL's OAEP padding), then the IV.
fn draws(random: &Value) -> Result<Vec<Vec<u8>>, Error> {
    let fields = random
        .as_object()
        .ok_or_else(|| Error::Adapter(AdapterError("random is not an object".into())))?;
    let order: &[&str] = if fields.contains_key("secret") || fields.contains_key("oaep_seed") {
        &["secret", "oaep_seed", "iv"]
    } else {
        &["iv"]
    };
    if fields.len() != order.len() {
        return Err(Error::Adapter(AdapterError(format!(
            "random has fields {:?}, expected {order:?}",
            fields.keys().collect::<Vec<_>>()
        ))));
    }
    order.iter().map(|name| hex_arg(random, name)).collect()
}

fn encrypt(args: &Value) -> Result<Value, Error> {
    let sm = SecureMessage::new(key_pair(args)?);
    let message = hex_arg(args, "message")?;
    let encrypted = match args.get("random").filter(|r| !r.is_null()) {
        None => sm.encrypt(&message).map_err(at(Step::Call))?,
        Some(random) => {
            let values = draws(random)?;
            let (result, injection) = rand::with_injected(&values, || sm.encrypt(&message));
            match (result, injection) {
                (_, Err(rand::InjectionError::Install)) => {
                    return Err(Error::Adapter(AdapterError(
                        "cannot install the injected-randomness method".into(),
                    )))
                }
                (_, Err(rand::InjectionError::OutOfOrder(why)))
                | (Ok(_), Err(rand::InjectionError::Unused(why))) => {
                    return Err(Error::Adapter(AdapterError(format!(
                        "injected randomness: {why}"
                    ))))
                }
                (Err(e), _) => return Err(at(Step::Call)(e)),
                (Ok(out), Ok(())) => out,
            }
        }
    };
    Ok(json!({ "encrypted": hex::encode(encrypted) }))
}

fn decrypt(args: &Value) -> Result<Value, Error> {
    let sm = SecureMessage::new(key_pair(args)?);
    let message = sm
        .decrypt(hex_arg(args, "encrypted")?)
        .map_err(at(Step::Call))?;
    Ok(json!({ "message": hex::encode(message) }))
}

fn sign(args: &Value) -> Result<Value, Error> {
    let key =
        PrivateKey::try_from_slice(hex_arg(args, "private_key")?).map_err(at(Step::PrivateKey))?;
    let signed = SecureSign::new(key)
        .sign(hex_arg(args, "message")?)
        .map_err(at(Step::Call))?;
    Ok(json!({ "signed": hex::encode(signed) }))
}

fn verify(args: &Value) -> Result<Value, Error> {
    let key =
        PublicKey::try_from_slice(hex_arg(args, "public_key")?).map_err(at(Step::PublicKey))?;
    let message = SecureVerify::new(key)
        .verify(hex_arg(args, "signed")?)
        .map_err(at(Step::Call))?;
    Ok(json!({ "message": hex::encode(message) }))
}

impl Implementation for RustThemis {
    fn hello(&mut self) -> Result<Hello, String> {
        // Hello has no fields for the core and its OpenSSL, so the version says them.
        Ok(Hello {
            name: "themis crate".into(),
            version: format!(
                "{CRATE_VERSION} (core {CORE_VERSION}, {})",
                rand::openssl_version()
            ),
            ops: OPS.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure> {
        let result = match op {
            "themis.key.check" => key_check(args),
            "themis.sign" => sign(args),
            "themis.verify" => verify(args),
            "themis.encrypt" => encrypt(args),
            "themis.decrypt" => decrypt(args),
            other => {
                return Ok(Reply::Unsupported(format!(
                    "op {other:?} is not implemented"
                )))
            }
        };
        Ok(match result {
            Ok(v) => Reply::Ok(v),
            Err(Error::Themis(Refusal { step, error })) => {
                let kind = format!("{:?}", error.kind());
                let stage = self.table.stage(op, step, &kind);
                Reply::error(format!("{}: {error}", step.as_str()), Some(&kind), stage)
            }
            Err(Error::Adapter(AdapterError(why))) => {
                Reply::error(format!("adapter: {why}"), Some("adapter"), None)
            }
        })
    }
}
