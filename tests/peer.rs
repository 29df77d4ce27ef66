//! `sealcheck peer` as a real process on 127.0.0.1, spoken to over HTTP with a real client
//! (reqwest): the Mixin send path with a rotation mid-test, authentication, bad input and
//! limits, the Themis party, and the page.

use reqwest::blocking::{Client, Response};
use sealcheck::mixin::{self, Randomness, Recipient};
use sealcheck::peer::auth::{claims_for, request_hash, sign_token};
use sealcheck::peer::Fixtures;
use sealcheck::wire::{from_base64_any, from_hex, to_base64_std, to_base64_url, to_hex};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A running peer; killed when dropped.
struct Peer {
    child: Child,
    url: String,
    token: String,
    http: Client,
    transcript: PathBuf,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.transcript);
    }
}

fn start(name: &str, extra: &[&str]) -> Peer {
    let transcript = std::env::temp_dir().join(format!(
        "sealcheck-peer-{name}-{}.jsonl",
        std::process::id()
    ));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealcheck"))
        .args([
            "peer",
            "--seed",
            "7",
            "--admin-token",
            "test-token",
            "--transcript",
        ])
        .arg(&transcript)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start sealcheck peer");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let second = lines.next().unwrap().unwrap();
    assert_eq!(second, "admin token: test-token");
    // Keep reading stdout so the peer never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Peer {
        child,
        url,
        token: "test-token".into(),
        http: Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        transcript,
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn json_of(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

impl Peer {
    fn get(&self, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.url)).send().unwrap()
    }

    fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        json_of(
            self.http
                .post(format!("{}{path}", self.url))
                .body(body.to_string())
                .send()
                .unwrap(),
        )
    }

    fn admin(&self, path: &str, body: &Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .header("X-Peer-Token", &self.token)
            .body(body.to_string())
            .send()
            .unwrap();
        let (status, v) = json_of(r);
        assert_eq!(status, 200, "{v}");
        v["data"].clone()
    }

    fn fixtures(&self) -> Fixtures {
        let r = self
            .http
            .get(format!("{}/_peer/fixtures", self.url))
            .header("X-Peer-Token", &self.token)
            .send()
            .unwrap();
        let (status, v) = json_of(r);
        assert_eq!(status, 200);
        serde_json::from_value(v["data"].clone()).unwrap()
    }

    /// A request signed by `(user, session seed)` as the SDKs sign them.
    fn signed(&self, who: &Signer, path: &str, body: &[u8]) -> Response {
        let claims = claims_for(&who.user_id, &who.session_id, "POST", path, body, now());
        self.http
            .post(format!("{}{path}", self.url))
            .header(
                "Authorization",
                format!("Bearer {}", sign_token(&who.seed, &claims)),
            )
            .header("Content-Type", "application/json")
            .header("X-Request-Id", "6e1a5f0c-0000-4000-8000-000000000001")
            .body(body.to_vec())
            .send()
            .unwrap()
    }

    fn transcript_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.transcript)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

struct Signer {
    user_id: String,
    session_id: String,
    seed: [u8; 32],
}

fn bot(f: &Fixtures) -> Signer {
    let u = &f.users[0];
    Signer {
        user_id: u.user_id.clone(),
        session_id: u.sessions[0].session_id.clone(),
        seed: from_hex(&u.sessions[0].session_private_key)
            .unwrap()
            .try_into()
            .unwrap(),
    }
}

/// The sessions as `/sessions/fetch` returned them: encrypt for these.
fn encrypt_for(sender: &Signer, sessions: &[Value], text: &[u8]) -> String {
    let recipients: Vec<Recipient> = sessions
        .iter()
        .map(|s| Recipient {
            session_id: *uuid::Uuid::parse_str(s["session_id"].as_str().unwrap())
                .unwrap()
                .as_bytes(),
            public_key: from_base64_any(s["public_key"].as_str().unwrap()).unwrap(),
        })
        .collect();
    let random = Randomness::generate(&mut rand_core::OsRng, recipients.len());
    to_base64_url(&mixin::encrypt(&sender.seed, &recipients, text, &random).unwrap())
}

fn message(recipient: &str, message_id: &str, sessions: &[Value], data_base64: String) -> Value {
    let ids: Vec<&str> = sessions
        .iter()
        .map(|s| s["session_id"].as_str().unwrap())
        .collect();
    json!([{
        "conversation_id": "1b6e8a40-7c2d-4f1e-9a3b-5c6d7e8f9a0b",
        "recipient_id": recipient,
        "message_id": message_id,
        "category": "ENCRYPTED_TEXT",
        "checksum": mixin::checksum(&ids),
        "data_base64": data_base64,
        "recipient_sessions": ids.iter().map(|i| json!({"session_id": i})).collect::<Vec<_>>(),
    }])
}

#[test]
fn the_send_path_with_a_rotation_mid_test() {
    let peer = start("send", &[]);
    let f = peer.fixtures();
    let me = bot(&f);
    let alice = &f.users[1].user_id;

    // Fetch alice's sessions as an SDK would.
    let body = json!([alice]).to_string();
    let r = peer.signed(&me, "/sessions/fetch", body.as_bytes());
    assert_eq!(
        r.headers()["x-request-id"],
        "6e1a5f0c-0000-4000-8000-000000000001",
        "fox-one checks the echo"
    );
    let (status, v) = json_of(r);
    assert_eq!(status, 200, "{v}");
    let sessions = v["data"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["user_id"], *alice);
    assert_eq!(sessions[0]["platform"], "Android");
    assert_eq!(
        from_base64_any(sessions[0]["public_key"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );

    // SUCCESS for the fresh list.
    let m1 = "30a8a0c4-1d44-4b8b-9a62-2a1d2d5a0001";
    let item = message(
        alice,
        m1,
        &sessions,
        encrypt_for(&me, &sessions, b"hello alice"),
    );
    let (status, v) = json_of(peer.signed(&me, "/encrypted_messages", item.to_string().as_bytes()));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"][0]["state"], "SUCCESS", "{v}");
    assert_eq!(v["data"][0]["type"], "message");
    assert_eq!(v["data"][0]["message_id"], m1);

    // Alice signs in again on her desktop: the same message is now FAILED, with her new list.
    let change = peer.admin(
        "/_peer/sessions/rotate",
        &json!({"user_id": alice, "session_id": sessions[1]["session_id"]}),
    );
    assert_eq!(change["removed"], sessions[1]["session_id"]);
    let m2 = "30a8a0c4-1d44-4b8b-9a62-2a1d2d5a0002";
    let stale = message(alice, m2, &sessions, encrypt_for(&me, &sessions, b"second"));
    let (status, v) =
        json_of(peer.signed(&me, "/encrypted_messages", stale.to_string().as_bytes()));
    assert_eq!(status, 200, "{v}");
    let receipt = &v["data"][0];
    assert_eq!(receipt["state"], "FAILED", "{v}");
    let fresh = receipt["sessions"].as_array().unwrap().clone();
    let fresh_ids: Vec<&str> = fresh
        .iter()
        .map(|s| s["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        fresh_ids,
        [
            sessions[0]["session_id"].as_str().unwrap(),
            change["added"]["session_id"].as_str().unwrap()
        ]
    );
    assert_eq!(fresh[1]["public_key"], change["added"]["public_key"]);

    // Re-encrypted for the sessions in the receipt, the resend succeeds.
    let resend = message(alice, m2, &fresh, encrypt_for(&me, &fresh, b"second"));
    let (_, v) = json_of(peer.signed(&me, "/encrypted_messages", resend.to_string().as_bytes()));
    assert_eq!(v["data"][0]["state"], "SUCCESS", "{v}");

    // The transcript has each request, with the items' verdicts and reasons.
    let lines = peer.transcript_lines();
    let sends: Vec<&Value> = lines
        .iter()
        .filter(|l| l["uri"] == "/encrypted_messages")
        .collect();
    let verdicts: Vec<&str> = sends
        .iter()
        .map(|l| l["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["SUCCESS", "FAILED", "SUCCESS"]);
    assert_eq!(sends[0]["items"][0]["plaintext"]["utf8"], "hello alice");
    assert!(sends[1]["items"][0]["reasons"][0]
        .as_str()
        .unwrap()
        .contains("is not the md5 of"));
    assert_eq!(sends[0]["caller"]["session_id"], me.session_id);
    assert!(lines.iter().any(|l| l["uri"] == "/_peer/sessions/rotate"));
}

#[test]
fn authentication_failures_are_401_with_the_reason() {
    let peer = start("auth", &[]);
    let f = peer.fixtures();
    let me = bot(&f);
    let url = format!("{}/sessions/fetch", peer.url);
    let body = json!([f.users[2].user_id]).to_string();
    let reason = |r: Response| {
        let (status, v) = json_of(r);
        assert_eq!(status, 401, "{v}");
        assert_eq!(v["error"]["code"], 401);
        assert_eq!(
            v["error"]["description"],
            "Unauthorized, maybe invalid token."
        );
        v["error"]["extra"]["reason"].as_str().unwrap().to_owned()
    };
    assert!(
        reason(peer.http.post(&url).body(body.clone()).send().unwrap())
            .contains("no Authorization header")
    );
    assert!(reason(
        peer.http
            .post(&url)
            .header("Authorization", "Bearer nonsense")
            .body(body.clone())
            .send()
            .unwrap()
    )
    .contains("not a JWT"));
    // Signed for another body.
    let claims = claims_for(
        &me.user_id,
        &me.session_id,
        "POST",
        "/sessions/fetch",
        b"[]",
        now(),
    );
    let r = peer
        .http
        .post(&url)
        .header(
            "Authorization",
            format!("Bearer {}", sign_token(&me.seed, &claims)),
        )
        .body(body.clone())
        .send()
        .unwrap();
    let why = reason(r);
    assert!(
        why.contains(&request_hash("POST", "/sessions/fetch", body.as_bytes())),
        "{why}"
    );
    // Signed by a key that is not the session's.
    let claims = claims_for(
        &me.user_id,
        &me.session_id,
        "POST",
        "/sessions/fetch",
        body.as_bytes(),
        now(),
    );
    let r = peer
        .http
        .post(&url)
        .header(
            "Authorization",
            format!("Bearer {}", sign_token(&[1; 32], &claims)),
        )
        .body(body.clone())
        .send()
        .unwrap();
    assert!(reason(r).contains("does not verify"));
    // Expired.
    let mut claims = claims_for(
        &me.user_id,
        &me.session_id,
        "POST",
        "/sessions/fetch",
        body.as_bytes(),
        now() - 3600,
    );
    claims.exp = Some(now() - 10);
    let r = peer
        .http
        .post(&url)
        .header(
            "Authorization",
            format!("Bearer {}", sign_token(&me.seed, &claims)),
        )
        .body(body.clone())
        .send()
        .unwrap();
    assert!(reason(r).contains("expired"));
    // The bot's own session rotated: its old key no longer signs in.
    peer.admin("/_peer/sessions/rotate", &json!({"user_id": me.user_id}));
    assert!(reason(peer.signed(&me, "/sessions/fetch", body.as_bytes()))
        .contains("has been signed out"));
    // Admin routes want the admin token.
    let (status, v) = json_of(
        peer.http
            .post(format!("{}/_peer/reset", peer.url))
            .send()
            .unwrap(),
    );
    assert_eq!((status, v["error"]["code"].as_u64()), (403, Some(403)));
    let unauthorized = peer
        .transcript_lines()
        .iter()
        .filter(|l| l["verdict"] == "unauthorized")
        .count();
    assert_eq!(unauthorized, 6);
}

#[test]
fn defective_items_are_refused_with_10002_and_the_reasons() {
    let peer = start("defects", &[]);
    let f = peer.fixtures();
    let me = bot(&f);
    let bob = &f.users[2];
    let sessions = vec![
        json!({"session_id": bob.sessions[0].session_id, "public_key": bob.sessions[0].public_key}),
    ];
    // Encrypted for bob's session but with a flipped tag: bob cannot read it.
    // 136 bytes, so that standard base64 needs padding.
    let good = encrypt_for(&me, &sessions, b"tampered!");
    let mut bytes = from_base64_any(&good).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    let mut items = message(
        &bob.user_id,
        "8c1d0e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
        &sessions,
        to_base64_std(&bytes),
    );
    items.as_array_mut().unwrap().push(
        message(
            &bob.user_id,
            "8c1d0e2f-3a4b-4c5d-8e6f-7a8b9c0d1e30",
            &sessions,
            good,
        )[0]
        .clone(),
    );
    let (status, v) =
        json_of(peer.signed(&me, "/encrypted_messages", items.to_string().as_bytes()));
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["code"], 10002);
    let rejected = v["error"]["extra"]["items"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "only the tampered one: {v}");
    assert_eq!(rejected[0]["index"], 0);
    assert_eq!(rejected[0]["stage"], "authentication");
    assert!(rejected[0]["reasons"][0]
        .as_str()
        .unwrap()
        .contains("cannot read it"));
    let line = peer
        .transcript_lines()
        .into_iter()
        .find(|l| l["uri"] == "/encrypted_messages")
        .unwrap();
    assert_eq!(line["verdict"], "REJECTED");
    assert_eq!(line["items"][1]["verdict"], "SUCCESS");
    let note = line["items"][0]["notes"][0].as_str().unwrap();
    assert!(
        note.contains(" base64, padded") && !note.contains("URL-safe"),
        "{note}"
    );

    // Over 100 items, and a body that is an object rather than an array.
    let many = Value::Array(vec![items[1].clone(); 101]);
    let (status, v) = json_of(peer.signed(&me, "/encrypted_messages", many.to_string().as_bytes()));
    assert_eq!((status, v["error"]["code"].as_u64()), (400, Some(10002)));
    let (status, v) = json_of(peer.signed(&me, "/encrypted_messages", b"{}"));
    assert_eq!((status, v["error"]["code"].as_u64()), (400, Some(400)));
    assert!(
        v["error"]["extra"]["reason"]
            .as_str()
            .unwrap()
            .contains("expected a sequence"),
        "{v}"
    );
    // A user id that is not a UUID in /sessions/fetch.
    let (status, v) = json_of(peer.signed(&me, "/sessions/fetch", br#"["bob"]"#));
    assert_eq!(
        (status, v["error"]["extra"]["field"].as_str()),
        (400, Some("[0]"))
    );
}

#[test]
fn bad_input_and_limits() {
    let peer = start("limits", &["--body-limit", "4096", "--timeout", "2"]);
    // Malformed JSON: 400 with serde's line and column.
    let r = peer
        .http
        .post(format!("{}/inspect", peer.url))
        .body("{\"input\": ")
        .send()
        .unwrap();
    let (status, v) = json_of(r);
    assert_eq!(status, 400);
    assert!(
        v["error"]["extra"]["reason"]
            .as_str()
            .unwrap()
            .contains("line 1 column"),
        "{v}"
    );
    // Over the limit: 413, with or without a Content-Length.
    let big = vec![b'a'; 5000];
    let (status, v) = json_of(
        peer.http
            .post(format!("{}/inspect", peer.url))
            .body(big.clone())
            .send()
            .unwrap(),
    );
    assert_eq!((status, v["error"]["code"].as_u64()), (413, Some(413)));
    assert!(v["error"]["description"]
        .as_str()
        .unwrap()
        .contains("4096 bytes"));
    // A reader has no length, so reqwest sends it chunked.
    let body = reqwest::blocking::Body::new(std::io::Cursor::new(vec![b'a'; 5000]));
    let (status, _) = json_of(
        peer.http
            .post(format!("{}/encrypted_messages", peer.url))
            .body(body)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 413);
    // Unknown route and wrong method.
    let (status, v) = json_of(peer.get("/no/such/route"));
    assert_eq!((status, v["error"]["code"].as_u64()), (404, Some(404)));
    let (status, v) = json_of(peer.get("/encrypted_messages"));
    assert_eq!((status, v["error"]["code"].as_u64()), (405, Some(405)));

    // A client that stalls: one sends half a header, one a body that never ends. Neither
    // holds the peer up, and the stalled body is answered 408 when the timeout passes.
    let addr = peer.url.trim_start_matches("http://");
    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(b"POST /inspect HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled
        .write_all(b"POST /inspect HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"input\":")
        .unwrap();
    let started = Instant::now();
    let (status, _) = json_of(peer.get("/_peer/health"));
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "served while others stall"
    );
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = stalled.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":408"), "{answer}");
    drop(half);

    // Random bytes at the socket get an HTTP error, and the peer is still there.
    let mut junk = TcpStream::connect(addr).unwrap();
    junk.write_all(&[0xff, 0x00, 0x13, 0x37, b'\r', b'\n', b'\r', b'\n'])
        .unwrap();
    junk.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = Vec::new();
    let _ = junk.read_to_end(&mut answer);
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(json_of(peer.get("/_peer/health")).0, 200);
}

#[test]
fn status_202_mode_answers_as_the_real_api() {
    let peer = start("202", &["--status-202"]);
    let (status, v) = json_of(
        peer.http
            .post(format!("{}/sessions/fetch", peer.url))
            .body("[]")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 202);
    assert_eq!(
        (v["error"]["status"].as_u64(), v["error"]["code"].as_u64()),
        (Some(202), Some(401))
    );
    let (status, v) = json_of(peer.get("/nope"));
    assert_eq!((status, v["error"]["code"].as_u64()), (202, Some(404)));
    // The transcript records the status that was sent.
    assert!(peer.transcript_lines().iter().all(|l| l["status"] == 202));
}

#[test]
fn the_themis_party_answers_with_a_reply_for_the_client() {
    let peer = start("themis", &[]);
    let (status, keys) = json_of(peer.get("/themis/keys"));
    assert_eq!(status, 200);
    let peer_ec = from_hex(keys["data"]["ec"]["public_key"].as_str().unwrap()).unwrap();
    let peer_rsa = from_hex(keys["data"]["rsa"]["public_key"].as_str().unwrap()).unwrap();
    assert_eq!(keys["data"]["rsa"]["kind"], "rsa_public");

    let mut rng = rand_core::OsRng;
    let (client_private, client_public) = sealcheck::themis::generate_ec_keypair(&mut rng);
    let msg = sealcheck::themis::encrypt(
        &client_private,
        &peer_ec,
        b"hello from the client",
        &sealcheck::themis::EncryptRandom::from_rng(&mut rng),
    )
    .unwrap();
    let (status, v) = peer.post_json(
        "/themis/message",
        &json!({"message": to_base64_std(&msg), "public_key": to_hex(&client_public)}),
    );
    assert_eq!(status, 200, "{v}");
    let a = &v["data"];
    assert_eq!(a["verdict"], "valid");
    assert_eq!(a["kind"], "EC encrypted");
    assert_eq!(a["plaintext"]["utf8"], "hello from the client");
    assert_eq!(
        a["dissection"]["title"],
        "Themis Secure Message (EC encrypted)"
    );
    assert_eq!(a["reply"]["mode"], "encrypted");
    let reply = from_hex(a["reply"]["message"]["hex"].as_str().unwrap()).unwrap();
    assert_eq!(
        sealcheck::themis::decrypt(&client_private, &peer_ec, &reply).unwrap(),
        b"sealcheck peer received: hello from the client"
    );

    // Signed with an RSA key: verified, answered signed by the peer's RSA key.
    let (rsa_private, rsa_public) =
        sealcheck::themis::generate_rsa_keypair(1024, &mut rng).unwrap();
    let signed = sealcheck::themis::sign(&rsa_private, b"signed", &mut rng).unwrap();
    let (_, v) = peer.post_json(
        "/themis/message",
        &json!({"message": to_hex(&signed), "public_key": to_hex(&rsa_public)}),
    );
    assert_eq!(v["data"]["verdict"], "valid", "{v}");
    let reply = from_hex(v["data"]["reply"]["message"]["hex"].as_str().unwrap()).unwrap();
    assert_eq!(
        sealcheck::themis::verify(&peer_rsa, &reply).unwrap(),
        b"sealcheck peer received: signed"
    );

    // A flipped ciphertext byte: invalid at authentication, the dissection still shown.
    let mut bad = msg.clone();
    *bad.last_mut().unwrap() ^= 1;
    let (status, v) = peer.post_json(
        "/themis/message",
        &json!({"message": to_hex(&bad), "public_key": to_hex(&client_public)}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        (v["data"]["verdict"].as_str(), v["data"]["stage"].as_str()),
        (Some("invalid"), Some("authentication"))
    );
    assert!(v["data"].get("reply").is_none());
    assert!(!v["data"]["dissection"]["fields"]
        .as_array()
        .unwrap()
        .is_empty());
    // Not hex nor base64: a 10002 naming the field.
    let (status, v) = peer.post_json(
        "/themis/message",
        &json!({"message": "%%", "public_key": "00"}),
    );
    assert_eq!(
        (status, v["error"]["extra"]["field"].as_str()),
        (400, Some("message"))
    );
    let lines = peer.transcript_lines();
    let themis: Vec<&str> = lines
        .iter()
        .filter(|l| l["uri"] == "/themis/message")
        .map(|l| l["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(themis, ["valid", "valid", "invalid", "error"]);
}

#[test]
fn the_page_and_inspect_are_served() {
    let peer = start("page", &[]);
    let r = peer.get("/");
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let html = r.text().unwrap();
    assert!(html.contains("<title>sealcheck peer</title>") && html.contains("/app.js"));
    assert_eq!(
        peer.get("/app.js").headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    // The README's malformed body: the problem and the marked row.
    let (status, v) = peer.post_json("/inspect", &json!({"input": "0101ff00"}));
    assert_eq!(status, 200);
    let d = &v["data"];
    assert_eq!(
        d["problem"],
        "body ends inside the sender key: it needs 32 bytes at offset 3, 1 remain"
    );
    assert_eq!(
        d["fields"][d["marked"].as_u64().unwrap() as usize]["name"],
        "(unparsed)"
    );
    let (status, v) = peer.post_json("/inspect", &json!({"input": "00", "format": "pgp"}));
    assert_eq!(
        (status, v["error"]["extra"]["field"].as_str()),
        (400, Some("format"))
    );
    // The transcript route reads back what happened, and does not record itself.
    let (_, t) = json_of(peer.get("/_peer/transcript?since=0"));
    let uris: Vec<&str> = t["data"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["/", "/app.js", "/inspect", "/inspect"]);
}

#[test]
fn fixtures_dump_and_file_round_trip() {
    let out = Command::new(env!("CARGO_BIN_EXE_sealcheck"))
        .args(["peer", "--seed", "7", "--dump-fixtures"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dumped: Fixtures = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dumped, Fixtures::from_seed(7));
    // A file with one user and no Themis keys serves; a broken one is refused with the path.
    let path = std::env::temp_dir().join(format!("sealcheck-fixtures-{}.json", std::process::id()));
    let mut user = serde_json::to_value(&dumped.users[1]).unwrap();
    user["sessions"][0]["public_key"] = json!("");
    std::fs::write(&path, json!({"users": [user]}).to_string()).unwrap();
    let peer = start("file", &["--fixtures", path.to_str().unwrap()]);
    let f = peer.fixtures();
    assert_eq!(f.users.len(), 1);
    assert_eq!(
        f.users[0].sessions[0].public_key,
        dumped.users[1].sessions[0].public_key
    );
    drop(peer);
    std::fs::write(&path, r#"{"users":[{"user_id":"x","sessions":[]}]}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sealcheck"))
        .args(["peer", "--fixtures"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("users[0].user_id"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
