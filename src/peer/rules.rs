//! What makes an item of `POST /encrypted_messages` SUCCESS, FAILED or REJECTED
//! (docs/PEER.md, "The rules"): plain functions over the recipient's current sessions, so
//! they are tested without HTTP and the handler only looks the recipients up.

use super::fixtures::is_canonical_uuid;
use super::world::UserState;
use crate::mixin::api::{EncryptedMessageReceipt, EncryptedMessageRequest, SessionKey};
use crate::mixin::{checksum, Body};
use crate::wire::{from_base64_any, to_base64_url, to_hex, Stage};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Most items one request may carry; more is refused as an invalid field.
pub const MAX_ITEMS: usize = 100;

/// The categories an encrypted message may have (the `ENCRYPTED_` twins of the plain ones
/// the Android client defines).
pub const CATEGORIES: &[&str] = &[
    "ENCRYPTED_TEXT",
    "ENCRYPTED_IMAGE",
    "ENCRYPTED_VIDEO",
    "ENCRYPTED_STICKER",
    "ENCRYPTED_DATA",
    "ENCRYPTED_CONTACT",
    "ENCRYPTED_AUDIO",
    "ENCRYPTED_LIVE",
    "ENCRYPTED_POST",
    "ENCRYPTED_LOCATION",
    "ENCRYPTED_TRANSCRIPT",
];

/// An item's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Delivered: every current session of the recipient can read it.
    Success,
    /// The sender's session list is stale: re-encrypt for the sessions in the receipt.
    Failed,
    /// A defect of the sender: the whole request is refused with the reasons.
    Rejected,
}

/// The verdict on one item, with everything the transcript says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemVerdict {
    /// Position in the request array.
    pub index: usize,
    /// The item's message id, once it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The item's recipient, once it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// SUCCESS, FAILED or REJECTED.
    pub verdict: Verdict,
    /// Why it is not SUCCESS; every defect found, first one first.
    pub reasons: Vec<String>,
    /// The canonical stage of the first decoding defect, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Observations that change nothing: the base64 dialect, optional fields left out.
    pub notes: Vec<String>,
    /// The plaintext every session read.
    #[serde(skip)]
    pub plaintext: Option<Vec<u8>>,
    /// The recipient's current sessions, which the receipt lists.
    #[serde(skip)]
    pub sessions: Vec<SessionKey>,
}

impl ItemVerdict {
    fn new(index: usize) -> Self {
        ItemVerdict {
            index,
            message_id: None,
            recipient_id: None,
            verdict: Verdict::Success,
            reasons: Vec::new(),
            stage: None,
            notes: Vec::new(),
            plaintext: None,
            sessions: Vec::new(),
        }
    }

    fn reject(mut self, stage: Option<Stage>, reason: impl Into<String>) -> Self {
        self.verdict = Verdict::Rejected;
        self.stage = self.stage.or(stage);
        self.reasons.push(reason.into());
        self
    }

    fn fail(mut self, reason: impl Into<String>) -> Self {
        self.verdict = Verdict::Failed;
        self.reasons.push(reason.into());
        self
    }

    /// The receipt the API answers with for this item.
    pub fn receipt(&self) -> EncryptedMessageReceipt {
        EncryptedMessageReceipt {
            kind: "message".into(),
            message_id: self.message_id.clone().unwrap_or_default(),
            recipient_id: self.recipient_id.clone().unwrap_or_default(),
            state: match self.verdict {
                Verdict::Success => "SUCCESS",
                _ => "FAILED",
            }
            .into(),
            sessions: self.sessions.clone(),
        }
    }

    /// The item as the transcript records it, with a preview of the plaintext.
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let (Some(p), Some(obj)) = (&self.plaintext, v.as_object_mut()) {
            obj.insert("plaintext".into(), preview(p));
        }
        v
    }
}

/// A plaintext for people: its length, and its text (or hex) cut to 200 characters.
pub fn preview(bytes: &[u8]) -> Value {
    const MAX: usize = 200;
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let cut: String = text.chars().take(MAX).collect();
            json!({"length": bytes.len(), "utf8": cut, "truncated": cut.len() < text.len()})
        }
        Err(_) => {
            let head = bytes.get(..MAX / 2).unwrap_or(bytes);
            json!({"length": bytes.len(), "hex": to_hex(head), "truncated": head.len() < bytes.len()})
        }
    }
}

/// How a base64 string was written, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64Reading {
    /// `standard` (`+/`), `URL-safe` (`-_`), or `either` when it uses neither pair.
    pub alphabet: &'static str,
    /// Whether it ends in `=` padding.
    pub padded: bool,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

impl Base64Reading {
    /// The dialect in words, naming who writes it.
    pub fn describe(&self) -> String {
        let who = match (self.alphabet, self.padded) {
            ("URL-safe", false) => " (as bot-api-go-client and fox-one write it)",
            ("standard", true) => " (as the Android, iOS and desktop clients write it)",
            _ => "",
        };
        format!(
            "data_base64 is {} base64, {}{who}",
            self.alphabet,
            if self.padded { "padded" } else { "unpadded" }
        )
    }
}

/// Decodes either base64 dialect of the Mixin ecosystem and says which one it was; a string
/// mixing the two alphabets is refused, since no implementation writes that.
pub fn read_base64(s: &str) -> Result<Base64Reading, String> {
    if s.is_empty() {
        return Err("data_base64 is empty".into());
    }
    let standard = s.contains(['+', '/']);
    let url = s.contains(['-', '_']);
    let alphabet = match (standard, url) {
        (true, true) => {
            return Err("data_base64 mixes the standard (+/) and URL-safe (-_) alphabets".into())
        }
        (true, false) => "standard",
        (false, true) => "URL-safe",
        (false, false) => "either",
    };
    let bytes = from_base64_any(s).map_err(|e| format!("data_base64 does not decode: {e}"))?;
    Ok(Base64Reading {
        alphabet,
        padded: s.ends_with('='),
        bytes,
    })
}

/// The receipt's form of a session.
pub fn session_key(s: &super::fixtures::SessionKeys) -> SessionKey {
    SessionKey {
        kind: "session".into(),
        session_id: s.session_id.clone(),
        public_key: to_base64_url(&s.x25519_public),
    }
}

/// Checks one item against the recipient's current sessions (`None`: no such user) and the
/// X25519 key of the session that signed the request.
///
/// In order: JSON shape and UUIDs, the recipient, the category, the checksum (FAILED when
/// stale), `data_base64`, the body's framing, one block for each current session and none
/// for anyone else, the sender key, decryption by every session, and `recipient_sessions`.
pub fn check_item(
    index: usize,
    value: &Value,
    recipient: Option<&UserState>,
    sender_key: &[u8; 32],
) -> ItemVerdict {
    let v = ItemVerdict::new(index);
    let item: EncryptedMessageRequest = match serde_json::from_value(value.clone()) {
        Ok(item) => item,
        Err(e) => return v.reject(None, format!("not an encrypted message item: {e}")),
    };
    let mut v = v;
    v.message_id = Some(item.message_id.clone());
    v.recipient_id = Some(item.recipient_id.clone());

    let optional = [
        ("representative_id", item.representative_id.as_deref()),
        ("quote_message_id", item.quote_message_id.as_deref()),
    ];
    for (name, value) in [
        ("conversation_id", Some(item.conversation_id.as_str())),
        ("recipient_id", Some(item.recipient_id.as_str())),
        ("message_id", Some(item.message_id.as_str())),
    ]
    .into_iter()
    .chain(
        optional
            .into_iter()
            .filter(|(_, v)| v.is_some_and(|s| !s.is_empty())),
    ) {
        let value = value.unwrap_or_default();
        if !is_canonical_uuid(value) {
            return v.reject(
                None,
                format!("{name} {value:?} is not a lowercase hyphenated UUID"),
            );
        }
    }
    for (i, s) in item.recipient_sessions.iter().enumerate() {
        if !is_canonical_uuid(&s.session_id) {
            return v.reject(
                None,
                format!(
                    "recipient_sessions[{i}].session_id {:?} is not a lowercase hyphenated UUID",
                    s.session_id
                ),
            );
        }
    }
    let Some(user) = recipient else {
        return v.reject(
            None,
            format!(
                "recipient_id {} is not a user of this peer",
                item.recipient_id
            ),
        );
    };
    if !item.category.starts_with("ENCRYPTED_") {
        return v.reject(
            None,
            format!(
                "category {:?} is not an ENCRYPTED_* category: /encrypted_messages carries only encrypted messages",
                item.category
            ),
        );
    }
    if !CATEGORIES.contains(&item.category.as_str()) {
        return v.reject(
            None,
            format!(
                "category {:?} is not a known encrypted category",
                item.category
            ),
        );
    }
    v.sessions = user.sessions.iter().map(session_key).collect();

    let current = user.session_ids();
    let expected = checksum(&current);
    if item.checksum != expected {
        let why = if user.former.is_empty() {
            String::new()
        } else {
            format!("; signed out since the start: {}", user.former.join(", "))
        };
        return v.fail(format!(
            "checksum {:?} is not the md5 of {}'s current sessions [{}], which is {expected}{why}",
            item.checksum,
            label(user),
            current.join(", ")
        ));
    }

    let reading = match read_base64(&item.data_base64) {
        Ok(r) => r,
        Err(e) => return v.reject(None, e),
    };
    v.notes.push(reading.describe());
    if item.data.as_deref().is_some_and(|d| !d.is_empty()) {
        v.notes
            .push("a non-empty data field was sent beside data_base64; it is ignored".into());
    }
    let bytes = reading.bytes;
    let body = match Body::parse(&bytes) {
        Ok(b) => b,
        Err(e) => return v.reject(Some(e.stage()), format!("the body does not parse: {e}")),
    };

    let mut blocks: BTreeMap<String, usize> = BTreeMap::new();
    for b in &body.blocks {
        *blocks.entry(b.session_id_string()).or_default() += 1;
    }
    let mut problems = Vec::new();
    for s in &user.sessions {
        match blocks.get(&s.session_id).copied().unwrap_or(0) {
            0 => problems.push((
                Some(Stage::SessionNotFound),
                format!(
                    "the body has no block for current session {}{}",
                    s.session_id,
                    platform(&s.platform)
                ),
            )),
            1 => {}
            n => problems.push((
                None,
                format!("the body has {n} blocks for session {}", s.session_id),
            )),
        }
    }
    for id in blocks.keys().filter(|id| !current.contains(id)) {
        let whose = if user.former.contains(id) {
            "a session that has been signed out"
        } else {
            "not a session of the recipient"
        };
        problems.push((
            None,
            format!("the body has a block for session {id}, {whose}"),
        ));
    }
    if body.sender_key != *sender_key {
        problems.push((
            Some(Stage::Key),
            format!(
                "the body's sender key {} is not the X25519 form of the session that signed the request ({})",
                to_hex(&body.sender_key),
                to_hex(sender_key)
            ),
        ));
    }
    if !problems.is_empty() {
        return problems
            .into_iter()
            .fold(v, |v, (stage, reason)| v.reject(stage, reason));
    }

    let mut plaintexts = Vec::new();
    for s in &user.sessions {
        match crate::mixin::decrypt(&s.seed, &s.session_id, &bytes) {
            Ok(p) => plaintexts.push(p),
            Err(e) => {
                v = v.reject(
                    Some(e.stage()),
                    format!(
                        "session {}{} cannot read it: {e}",
                        s.session_id,
                        platform(&s.platform)
                    ),
                )
            }
        }
    }
    if v.verdict == Verdict::Rejected {
        return v;
    }
    if plaintexts.windows(2).any(|w| w.first() != w.last()) {
        return v.reject(
            None,
            "the sessions read different plaintexts: each block wraps another key",
        );
    }

    if item.recipient_sessions.is_empty() {
        v.notes
            .push("no recipient_sessions (optional; fox-one and PyPI mixinsdk send it)".into());
    } else {
        let listed: Vec<&str> = item
            .recipient_sessions
            .iter()
            .map(|s| s.session_id.as_str())
            .collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != listed.len() {
            return v.reject(None, "recipient_sessions names a session twice");
        }
        let mut want: Vec<&str> = current.iter().map(String::as_str).collect();
        want.sort_unstable();
        if sorted != want {
            return v.reject(
                None,
                format!(
                    "recipient_sessions [{}] are not the sessions the body and checksum are for [{}]",
                    listed.join(", "),
                    current.join(", ")
                ),
            );
        }
    }
    if item.category == "ENCRYPTED_TEXT" {
        if let Some(p) = plaintexts.first() {
            if std::str::from_utf8(p).is_err() {
                v.notes
                    .push("an ENCRYPTED_TEXT plaintext that is not UTF-8".into());
            }
        }
    }
    v.plaintext = plaintexts.into_iter().next();
    v
}

/// Checks every item; a message id that appears twice in one request is refused the second
/// time. `lookup` finds a recipient's current state.
pub fn check_items<'a>(
    items: &[Value],
    lookup: impl Fn(&str) -> Option<&'a UserState>,
    sender_key: &[u8; 32],
) -> Vec<ItemVerdict> {
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let recipient = item
                .get("recipient_id")
                .and_then(Value::as_str)
                .and_then(&lookup);
            let v = check_item(i, item, recipient, sender_key);
            match v.message_id.clone() {
                Some(id) if !seen.insert(id.clone()) => v.reject(
                    None,
                    format!("message_id {id} appears twice in this request"),
                ),
                _ => v,
            }
        })
        .collect()
}

fn label(user: &UserState) -> String {
    if user.name.is_empty() {
        user.user_id.clone()
    } else {
        format!("{} ({})", user.user_id, user.name)
    }
}

fn platform(p: &str) -> String {
    if p.is_empty() {
        String::new()
    } else {
        format!(" ({p})")
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::Fixtures;
    use super::super::world::World;
    use super::*;
    use crate::mixin::{encrypt, Randomness, Recipient};
    use crate::wire::to_base64_std;

    struct Setup {
        world: World,
        sender_seed: [u8; 32],
        sender_key: [u8; 32],
    }

    fn setup() -> Setup {
        let world = World::new(&Fixtures::from_seed(11), 11);
        let bot = &world.users()[0].sessions[0];
        Setup {
            sender_seed: bot.seed,
            sender_key: bot.x25519_public,
            world,
        }
    }

    fn alice(s: &Setup) -> &UserState {
        &s.world.users()[1]
    }

    fn body_for(
        seed: &[u8; 32],
        sessions: &[&super::super::fixtures::SessionKeys],
        text: &[u8],
    ) -> Vec<u8> {
        let recipients: Vec<Recipient> = sessions
            .iter()
            .map(|s| Recipient {
                session_id: *uuid::Uuid::parse_str(&s.session_id).unwrap().as_bytes(),
                public_key: s.x25519_public.to_vec(),
            })
            .collect();
        let random = Randomness {
            message_key: [1; 16],
            nonce: [2; 12],
            ivs: vec![[3; 16]; recipients.len()],
        };
        encrypt(seed, &recipients, text, &random).unwrap()
    }

    /// A correct item for alice, as fox-one writes one.
    fn item(s: &Setup) -> Value {
        let a = alice(s);
        let refs: Vec<_> = a.sessions.iter().collect();
        json!({
            "conversation_id": "6d1c7b6e-4b4f-4e8e-9a63-0c1d2e3f4a5b",
            "recipient_id": a.user_id,
            "message_id": "9f0e1d2c-3b4a-4596-8877-665544332211",
            "category": "ENCRYPTED_TEXT",
            "checksum": checksum(&a.session_ids()),
            "data_base64": to_base64_url(&body_for(&s.sender_seed, &refs, b"hello alice")),
            "recipient_sessions": a.sessions.iter().map(|s| json!({"session_id": s.session_id})).collect::<Vec<_>>(),
        })
    }

    fn run(s: &Setup, v: &Value) -> ItemVerdict {
        check_item(0, v, Some(alice(s)), &s.sender_key)
    }

    #[test]
    fn a_correct_item_succeeds_and_says_how_it_was_written() {
        let s = setup();
        let v = run(&s, &item(&s));
        assert_eq!(v.verdict, Verdict::Success, "{:?}", v.reasons);
        assert_eq!(v.plaintext.as_deref(), Some(&b"hello alice"[..]));
        assert_eq!(v.notes, ["data_base64 is URL-safe base64, unpadded (as bot-api-go-client and fox-one write it)"]);
        assert_eq!(v.receipt().state, "SUCCESS");
        assert_eq!(v.receipt().sessions.len(), 2);
        // Standard padded base64 (the mobile clients' dialect) is just as good.
        let mut std = item(&s);
        let bytes = from_base64_any(std["data_base64"].as_str().unwrap()).unwrap();
        std["data_base64"] = json!(to_base64_std(&bytes));
        let v = run(&s, &std);
        assert_eq!(v.verdict, Verdict::Success);
        assert!(
            v.notes[0].starts_with("data_base64 is standard base64, padded"),
            "{:?}",
            v.notes
        );
    }

    #[test]
    fn a_stale_checksum_fails_with_the_current_sessions() {
        let mut s = setup();
        let before = item(&s);
        let a = alice(&s).user_id.clone();
        s.world.rotate(&a, None).unwrap();
        let v = run(&s, &before);
        assert_eq!(v.verdict, Verdict::Failed);
        assert!(
            v.reasons[0].contains("is not the md5 of"),
            "{}",
            v.reasons[0]
        );
        assert!(
            v.reasons[0].contains("signed out since the start"),
            "{}",
            v.reasons[0]
        );
        let r = v.receipt();
        assert_eq!(r.state, "FAILED");
        let now: Vec<_> = r.sessions.iter().map(|s| s.session_id.clone()).collect();
        assert_eq!(now, alice(&s).session_ids());
        // Re-encrypted for the sessions in the receipt, it succeeds.
        assert_eq!(run(&s, &item(&s)).verdict, Verdict::Success);
    }

    #[test]
    fn shape_uuid_recipient_and_category_defects_are_rejected() {
        let s = setup();
        let cases: Vec<(&str, Value, &str)> = vec![
            ("message_id", json!(42), "not an encrypted message item"),
            (
                "message_id",
                json!("9F0E1D2C-3B4A-4596-8877-665544332211"),
                "message_id \"9F0E",
            ),
            (
                "conversation_id",
                json!("c"),
                "conversation_id \"c\" is not",
            ),
            ("quote_message_id", json!("q"), "quote_message_id"),
            (
                "category",
                json!("PLAIN_TEXT"),
                "is not an ENCRYPTED_* category",
            ),
            (
                "category",
                json!("ENCRYPTED_HOLOGRAM"),
                "not a known encrypted category",
            ),
            ("data_base64", json!(""), "data_base64 is empty"),
            ("data_base64", json!("ab+c-d"), "mixes the standard"),
            ("data_base64", json!("a"), "does not decode"),
            ("silent", json!("no"), "expected a boolean"),
        ];
        for (field, value, want) in cases {
            let mut it = item(&s);
            it[field] = value;
            let v = run(&s, &it);
            assert_eq!(v.verdict, Verdict::Rejected, "{field}");
            assert!(v.reasons[0].contains(want), "{field}: {:?}", v.reasons);
        }
        // An empty representative_id (bot-api-go-client sends "") is fine.
        let mut it = item(&s);
        it["representative_id"] = json!("");
        assert_eq!(run(&s, &it).verdict, Verdict::Success);
        let v = check_item(0, &item(&s), None, &s.sender_key);
        assert!(v.reasons[0].contains("is not a user of this peer"));
        let v = check_item(0, &json!([1]), None, &s.sender_key);
        assert_eq!(v.verdict, Verdict::Rejected);
    }

    #[test]
    fn block_defects_are_each_named() {
        let s = setup();
        let a = alice(&s);
        let bob = &s.world.users()[2].sessions[0];
        let with_body = |body: Vec<u8>| {
            let mut it = item(&s);
            it["data_base64"] = json!(to_base64_url(&body));
            run(&s, &it)
        };
        // Only the first of alice's two sessions.
        let v = with_body(body_for(&s.sender_seed, &[&a.sessions[0]], b"x"));
        assert_eq!(v.verdict, Verdict::Rejected);
        assert_eq!(v.stage, Some(Stage::SessionNotFound));
        assert!(v.reasons[0].contains(&format!(
            "no block for current session {} (Desktop)",
            a.sessions[1].session_id
        )));
        // Both of alice's and one of bob's: bob's block is for a stranger.
        let v = with_body(body_for(
            &s.sender_seed,
            &[&a.sessions[0], &a.sessions[1], bob],
            b"x",
        ));
        assert!(
            v.reasons[0].contains("not a session of the recipient"),
            "{:?}",
            v.reasons
        );
        // A session twice.
        let v = with_body(body_for(
            &s.sender_seed,
            &[&a.sessions[0], &a.sessions[1], &a.sessions[0]],
            b"x",
        ));
        assert!(
            v.reasons[0].contains("2 blocks for session"),
            "{:?}",
            v.reasons
        );
        // Encrypted by another key than the signing session's.
        let v = with_body(body_for(&[77; 32], &[&a.sessions[0], &a.sessions[1]], b"x"));
        assert_eq!(v.stage, Some(Stage::Key));
        assert!(v.reasons[0].contains("sender key"), "{:?}", v.reasons);
        // Cut short: the body's own decoder says where.
        let good = body_for(&s.sender_seed, &[&a.sessions[0], &a.sessions[1]], b"x");
        let v = with_body(good[..good.len() - 20].to_vec());
        assert_eq!(v.stage, Some(Stage::Length));
        // A flipped tag: every session fails authentication.
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 1;
        let v = with_body(bad);
        assert_eq!(v.stage, Some(Stage::Authentication));
        assert_eq!(
            v.reasons.len(),
            2,
            "one reason per session: {:?}",
            v.reasons
        );
    }

    #[test]
    fn a_block_wrapped_for_the_wrong_key_is_caught() {
        let s = setup();
        let a = alice(&s);
        // Alice's second block is made with bob's public key under alice's session id.
        let mut wrong = a.sessions[1].clone();
        wrong.x25519_public = s.world.users()[2].sessions[0].x25519_public;
        let body = body_for(&s.sender_seed, &[&a.sessions[0], &wrong], b"x");
        let mut it = item(&s);
        it["data_base64"] = json!(to_base64_url(&body));
        let v = run(&s, &it);
        assert_eq!(v.verdict, Verdict::Rejected);
        assert_eq!(v.stage, Some(Stage::KeyUnwrap));
        assert!(
            v.reasons[0].contains(&a.sessions[1].session_id),
            "{:?}",
            v.reasons
        );
    }

    #[test]
    fn recipient_sessions_must_match_when_present() {
        let s = setup();
        let a = alice(&s);
        let mut it = item(&s);
        it["recipient_sessions"] = json!([{"session_id": a.sessions[0].session_id}]);
        let v = run(&s, &it);
        assert_eq!(v.verdict, Verdict::Rejected);
        assert!(
            v.reasons[0].contains("are not the sessions"),
            "{:?}",
            v.reasons
        );
        it["recipient_sessions"] = json!([{"session_id": a.sessions[0].session_id}, {"session_id": a.sessions[0].session_id}]);
        assert!(run(&s, &it).reasons[0].contains("twice"));
        it.as_object_mut().unwrap().remove("recipient_sessions");
        let v = run(&s, &it);
        assert_eq!(v.verdict, Verdict::Success);
        assert!(v
            .notes
            .iter()
            .any(|n| n.starts_with("no recipient_sessions")));
    }

    #[test]
    fn duplicate_message_ids_and_lookup() {
        let s = setup();
        let one = item(&s);
        let verdicts = check_items(&[one.clone(), one], |id| s.world.user(id), &s.sender_key);
        assert_eq!(verdicts[0].verdict, Verdict::Success);
        assert_eq!(verdicts[1].verdict, Verdict::Rejected);
        assert!(verdicts[1].reasons[0].contains("appears twice"));
    }

    #[test]
    fn base64_dialects() {
        let r = read_base64("-_8").unwrap();
        assert_eq!(
            (r.alphabet, r.padded, r.bytes),
            ("URL-safe", false, vec![0xfb, 0xff])
        );
        let r = read_base64("+/8=").unwrap();
        assert_eq!((r.alphabet, r.padded), ("standard", true));
        let r = read_base64("AQI=").unwrap();
        assert_eq!(
            (r.alphabet, r.padded, r.bytes),
            ("either", true, vec![1, 2])
        );
        assert!(read_base64("AQI")
            .unwrap()
            .describe()
            .contains("either base64, unpadded"));
        assert!(read_base64("A Q").is_err());
    }

    #[test]
    fn previews() {
        assert_eq!(
            preview(b"hi"),
            json!({"length": 2, "utf8": "hi", "truncated": false})
        );
        assert_eq!(
            preview(&[0xff, 0]),
            json!({"length": 2, "hex": "ff00", "truncated": false})
        );
        let long = vec![b'a'; 300];
        assert_eq!(preview(&long)["truncated"], json!(true));
    }
}

#[cfg(test)]
mod properties {
    use super::super::fixtures::Fixtures;
    use super::super::world::World;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever bytes a sender posts as the body of an otherwise correct item, the rules
        /// answer without panicking, and never SUCCESS: random bytes decrypt for nobody.
        #[test]
        fn random_bodies_are_refused(body in proptest::collection::vec(any::<u8>(), 0..600), lead in any::<u8>()) {
            let w = World::new(&Fixtures::from_seed(2), 2);
            let alice = &w.users()[1];
            let mut bytes = body;
            if let Some(first) = bytes.first_mut() {
                *first = lead % 3; // versions 0, 1 and 2, so the decoder gets past the first byte
            }
            let item = json!({
                "conversation_id": "6d1c7b6e-4b4f-4e8e-9a63-0c1d2e3f4a5b",
                "recipient_id": alice.user_id,
                "message_id": "9f0e1d2c-3b4a-4596-8877-665544332211",
                "category": "ENCRYPTED_TEXT",
                "checksum": checksum(&alice.session_ids()),
                "data_base64": to_base64_url(&bytes),
            });
            let v = check_item(0, &item, Some(alice), &[9; 32]);
            prop_assert_eq!(v.verdict, Verdict::Rejected);
            prop_assert!(!v.reasons.is_empty());
        }

        /// Any JSON value as an item: no panic, and a verdict with a reason unless SUCCESS.
        #[test]
        fn any_json_item_gets_a_verdict(text in "[\\[\\]{}\",:a-z0-9 ]{0,80}") {
            let w = World::new(&Fixtures::from_seed(2), 2);
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                let v = check_item(0, &value, w.users().get(1), &[9; 32]);
                prop_assert!(v.verdict == Verdict::Success || !v.reasons.is_empty());
            }
        }
    }
}
