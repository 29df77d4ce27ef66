//! The embedded corpus against the themis crate, in process, judged against this build's
//! expectations file; and the injected-randomness checks that must fail loudly.

use sealcheck_rust_themis::seam::{Expectations, Implementation, Reply};
use sealcheck_rust_themis::{expectations_path, rand, run_corpus, RustThemis};
use serde_json::{json, Value};

fn corpus_vector(id: &str) -> Value {
    let files = sealcheck_rust_themis::seam::load_embedded().expect("corpus");
    files
        .iter()
        .flat_map(|(_, f)| f.tests.iter())
        .find(|v| v.id == id)
        .map(|v| v.args.clone())
        .unwrap_or_else(|| panic!("no vector {id}"))
}

#[test]
fn corpus_holds_the_expectations_file() {
    let path = expectations_path();
    let expectations = Expectations::load(&path, false).expect("expectations file");
    let report = run_corpus(&expectations).expect("run");
    let failing: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.status.fails_run())
        .map(|r| format!("{} {}", r.id, r.outcome))
        .collect();
    assert!(
        failing.is_empty(),
        "{}: {} results differ from {}:\n{}",
        report.implementation,
        failing.len(),
        path.display(),
        failing.join("\n")
    );
    // Every exact-output themis.encrypt vector was really run, not skipped.
    let skipped_encrypt = report
        .results
        .iter()
        .filter(|r| r.op == "themis.encrypt" && r.outcome == "skipped")
        .count();
    assert_eq!(skipped_encrypt, 0, "themis.encrypt vectors skipped");
}

#[test]
fn injected_values_reproduce_an_rsa_vector() {
    // The RSA vector's bytes can only come out if the secret, OAEP seed and IV were all used.
    let mut imp = RustThemis::new().unwrap();
    let args = corpus_vector("themis.encrypt/valid/rsa1024-to-rsa1024-1-bytes");
    let reply = imp.call("themis.encrypt", &args).unwrap();
    let Reply::Ok(got) = reply else {
        panic!("{reply:?}")
    };
    let encrypted = got["encrypted"].as_str().unwrap();
    // The IV sits right after the cell's four header words, the OAEP block before them.
    let iv = args["random"]["iv"].as_str().unwrap();
    assert!(encrypted.contains(iv), "IV not in the output");
}

#[test]
fn a_draw_out_of_order_fails_the_request() {
    let mut imp = RustThemis::new().unwrap();
    let mut args = corpus_vector("themis.encrypt/valid/ec-p256-1-bytes");
    // RSA-shaped values for EC keys: the core draws 12 bytes while the 70-byte secret is due.
    args["random"] = json!({
        "secret": "11".repeat(70),
        "oaep_seed": "22".repeat(20),
        "iv": args["random"]["iv"].clone(),
    });
    let reply = imp.call("themis.encrypt", &args).unwrap();
    match reply {
        Reply::Error { code, message, .. } => {
            assert_eq!(code.as_deref(), Some("adapter"), "{message}");
            assert!(message.contains("12 bytes"), "{message}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn rsa_values_in_field_order_are_refused() {
    // The protocol's field order (iv, secret, oaep_seed) is not the core's: serving it in that
    // order must be caught, not produce other bytes.
    let args = corpus_vector("themis.encrypt/valid/rsa1024-to-rsa1024-1-bytes");
    let r = &args["random"];
    let values: Vec<Vec<u8>> = ["iv", "secret", "oaep_seed"]
        .iter()
        .map(|k| hex::decode(r[k].as_str().unwrap()).unwrap())
        .collect();
    let private = themis::keys::PrivateKey::try_from_slice(
        hex::decode(args["private_key"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let public = themis::keys::PublicKey::try_from_slice(
        hex::decode(args["peer_public_key"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let sm = themis::secure_message::SecureMessage::new(
        themis::keys::KeyPair::try_join(private, public).unwrap(),
    );
    let (result, injection) = rand::with_injected(&values, || sm.encrypt([0x80]));
    assert!(
        result.is_err(),
        "the core must fail when its draw is refused"
    );
    match injection {
        Err(rand::InjectionError::OutOfOrder(why)) => assert!(why.contains("70 bytes"), "{why}"),
        other => panic!("expected OutOfOrder, got {other:?}"),
    }
}

#[test]
fn hello_names_the_crate_core_and_backend() {
    let mut imp = RustThemis::new().unwrap();
    let hello = imp.hello().unwrap();
    assert_eq!(hello.name, "themis crate");
    assert!(
        hello.version.starts_with("0.14.0 (core "),
        "{}",
        hello.version
    );
    assert!(hello.version.contains("OpenSSL"), "{}", hello.version);
    assert_eq!(hello.ops.len(), 5);
}
