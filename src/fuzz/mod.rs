//! Fuzzing support: the one-input drivers shared by the cargo-fuzz targets in `fuzz/` and the
//! stable regression test (`tests/fuzz_regressions.rs`), and the differential fuzzer behind
//! `sealcheck fuzz` that compares the reference with an implementation under test.
//!
//! Every fuzz target is `replay(TARGET, data)`: the targets decode their structured input
//! with [`Source`] (a small, total, deterministic byte reader) rather than with a derive, so
//! that the same bytes mean the same thing to libFuzzer on nightly features and to
//! `cargo test` on stable.

use crate::corpus::{self, Expected, Note, Provenance, Vector, VectorFile, Verdict};
use crate::iut::Implementation;
use crate::iut::{Reference, BAD_ARGS};
use crate::mixin;
use crate::protocol::OPS;
use crate::protocol::{Failure, Reply};
use crate::themis;
use crate::wire::Stage;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

/// Every fuzz target, by the name `fuzz/fuzz_targets/<name>.rs` and `fuzz/regressions/<name>/` use.
pub const TARGETS: &[&str] = &[
    "mixin_body",
    "mixin_decrypt",
    "themis_key",
    "themis_message",
    "themis_verify",
    "themis_decrypt",
    "themis_cell",
    "vector_file",
    "iut_reply",
    "protocol_request",
];

/// Runs one fuzz input through `target`; panics when an invariant breaks (that is the finding).
///
/// Unknown target names panic too, so a misnamed regression directory is noticed.
pub fn replay(target: &str, data: &[u8]) {
    match target {
        "mixin_body" => mixin_body(data),
        "mixin_decrypt" => drop(mixin_decrypt(data)),
        "themis_key" => themis_key(data),
        "themis_message" => themis_message(data),
        "themis_verify" => drop(themis_verify(data)),
        "themis_decrypt" => drop(themis_decrypt(data)),
        "themis_cell" => themis_cell(data),
        "vector_file" => vector_file(data),
        "iut_reply" => iut_reply(data),
        "protocol_request" => protocol_request(data),
        other => panic!("no fuzz target {other:?}"),
    }
}

/// For the structure-aware targets (`mixin_decrypt`, `themis_verify`, `themis_decrypt`): runs
/// the input like [`replay`] and, when the reference accepted an edit that changed the
/// envelope's bytes (always to the original plaintext, or `replay` panics), says which.
pub fn accepted_edit(target: &str, data: &[u8]) -> Option<String> {
    match target {
        "mixin_decrypt" => mixin_decrypt(data),
        "themis_verify" => themis_verify(data),
        "themis_decrypt" => themis_decrypt(data),
        _ => {
            replay(target, data);
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Structured input
// ---------------------------------------------------------------------------------------------

/// A total reader over fuzz input: every read succeeds, giving zeros once the input runs out.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    data: &'a [u8],
}

impl<'a> Source<'a> {
    /// Reads from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Source { data }
    }

    /// Whether the input is used up.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// The next two bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// The next four bytes, little-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// A value below `n` (`n` > 0), from one or two bytes.
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 256 {
            usize::from(self.u8()) % n
        } else {
            usize::from(self.u16()) % n
        }
    }

    /// Up to `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// A length-prefixed byte string of at most `max` bytes.
    pub fn var_bytes(&mut self, max: usize) -> &'a [u8] {
        let n = self.below(max + 1);
        self.bytes(n)
    }

    /// The rest of the input.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }
}

/// One edit of a well-formed envelope, aimed at one of its dissected fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Flip one bit of the field (bit index modulo the field's bits).
    FlipBit {
        /// Index into the field list.
        field: usize,
        /// Bit index.
        bit: u32,
    },
    /// Overwrite the field's first two bytes with a little-endian u16.
    SetU16 {
        /// Index into the field list.
        field: usize,
        /// The value.
        value: u16,
    },
    /// Overwrite the field's first four bytes with a little-endian u32.
    SetU32 {
        /// Index into the field list.
        field: usize,
        /// The value.
        value: u32,
    },
    /// Cut the input at the field's start plus `delta` (clamped).
    Truncate {
        /// Index into the field list.
        field: usize,
        /// Offset from the field's start.
        delta: i8,
    },
    /// Insert bytes at the field's start.
    Insert {
        /// Index into the field list.
        field: usize,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Swap the contents of two fields (the common prefix, when their lengths differ).
    Swap {
        /// Index into the field list.
        a: usize,
        /// Index into the field list.
        b: usize,
    },
    /// Set the field's bytes to a constant.
    Fill {
        /// Index into the field list.
        field: usize,
        /// The byte.
        byte: u8,
    },
}

impl Edit {
    /// Decodes an edit from fuzz input.
    pub fn from_source(s: &mut Source<'_>) -> Edit {
        let kind = s.u8() % 7;
        let field = usize::from(s.u8());
        match kind {
            0 => Edit::FlipBit {
                field,
                bit: u32::from(s.u16()),
            },
            1 => Edit::SetU16 {
                field,
                value: s.u16(),
            },
            2 => Edit::SetU32 {
                field,
                value: s.u32(),
            },
            3 => Edit::Truncate {
                field,
                delta: s.u8() as i8,
            },
            4 => Edit::Insert {
                field,
                bytes: s.var_bytes(32).to_vec(),
            },
            5 => Edit::Swap {
                a: field,
                b: usize::from(s.u8()),
            },
            _ => Edit::Fill {
                field,
                byte: s.u8(),
            },
        }
    }

    /// A short description naming the field, for findings.
    pub fn describe(&self, fields: &[(String, Range<usize>)]) -> String {
        let name = |i: usize| {
            if fields.is_empty() {
                "(input)".to_string()
            } else {
                fields[i % fields.len()].0.clone()
            }
        };
        match self {
            Edit::FlipBit { field, bit } => format!("flip bit {bit} of {}", name(*field)),
            Edit::SetU16 { field, value } => format!("set {} to u16 {value}", name(*field)),
            Edit::SetU32 { field, value } => format!("set {} to u32 {value}", name(*field)),
            Edit::Truncate { field, delta } => {
                format!("truncate at start of {} {delta:+}", name(*field))
            }
            Edit::Insert { field, bytes } => {
                format!("insert {} bytes before {}", bytes.len(), name(*field))
            }
            Edit::Swap { a, b } => format!("swap {} and {}", name(*a), name(*b)),
            Edit::Fill { field, byte } => format!("fill {} with {byte:#04x}", name(*field)),
        }
    }

    /// Applies the edit to `bytes`, whose fields are `fields` (name, range); with no fields
    /// the whole input is one field.
    pub fn apply(&self, bytes: &[u8], fields: &[(String, Range<usize>)]) -> Vec<u8> {
        let whole = [(String::new(), 0..bytes.len())];
        let fields = if fields.is_empty() {
            &whole[..]
        } else {
            fields
        };
        let range = |i: usize| {
            let r = fields[i % fields.len()].1.clone();
            r.start.min(bytes.len())..r.end.min(bytes.len())
        };
        let mut out = bytes.to_vec();
        match self {
            Edit::FlipBit { field, bit } => {
                let r = range(*field);
                if !r.is_empty() {
                    let bit = *bit as usize % (r.len() * 8);
                    out[r.start + bit / 8] ^= 1 << (bit % 8);
                }
            }
            Edit::SetU16 { field, value } => {
                let r = range(*field);
                for (o, v) in out[r].iter_mut().zip(value.to_le_bytes()) {
                    *o = v;
                }
            }
            Edit::SetU32 { field, value } => {
                let r = range(*field);
                for (o, v) in out[r].iter_mut().zip(value.to_le_bytes()) {
                    *o = v;
                }
            }
            Edit::Truncate { field, delta } => {
                let at = (range(*field).start as isize + *delta as isize)
                    .clamp(0, bytes.len() as isize) as usize;
                out.truncate(at);
            }
            Edit::Insert { field, bytes: b } => {
                let at = range(*field).start;
                out.splice(at..at, b.iter().copied());
            }
            Edit::Swap { a, b } => {
                let (ra, rb) = (range(*a), range(*b));
                let n = ra.len().min(rb.len());
                for i in 0..n {
                    out.swap(ra.start + i, rb.start + i);
                }
            }
            Edit::Fill { field, byte } => {
                out[range(*field)].iter_mut().for_each(|o| *o = *byte);
            }
        }
        out
    }
}

fn fields_of(d: &crate::wire::Dissection) -> Vec<(String, Range<usize>)> {
    d.fields
        .iter()
        .map(|f| (f.name.clone(), f.range.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Fixed keys
// ---------------------------------------------------------------------------------------------

/// The fixed keys of the structure-aware targets: a Mixin sender and three recipient sessions,
/// and two Themis P-256 key pairs (private, public).
pub struct FixedKeys {
    /// ed25519 seed of the Mixin sender.
    pub mixin_sender: [u8; 32],
    /// (ed25519 seed, X25519 public key, session id) of each Mixin recipient.
    pub mixin_recipients: Vec<([u8; 32], [u8; 32], [u8; 16])>,
    /// Alice's Themis EC key pair.
    pub alice: (Vec<u8>, Vec<u8>),
    /// Bob's Themis EC key pair.
    pub bob: (Vec<u8>, Vec<u8>),
}

/// The fixed keys, made once.
pub fn fixed_keys() -> &'static FixedKeys {
    static KEYS: OnceLock<FixedKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(0x5ea1);
        let mixin_recipients = (1..=3u8)
            .map(|i| {
                let seed = [i; 32];
                let public = mixin::keys::x25519_base(&mixin::keys::private_to_x25519(&seed));
                let mut id = [0x10 * i; 16];
                id[6] = 0x40 | i; // version 4 nibble, for realism
                (seed, public, id)
            })
            .collect();
        FixedKeys {
            mixin_sender: [0x77; 32],
            mixin_recipients,
            alice: themis::generate_ec_keypair(&mut rng),
            bob: themis::generate_ec_keypair(&mut rng),
        }
    })
}

fn session_string(id: &[u8; 16]) -> String {
    uuid::Uuid::from_bytes(*id).hyphenated().to_string()
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

fn check_dissection_ranges(d: &crate::wire::Dissection, len: usize) {
    for f in &d.fields {
        assert!(
            f.range.start <= f.range.end && f.range.end <= len,
            "field {} has range {:?} outside {len} bytes",
            f.name,
            f.range
        );
    }
    let _ = d.render(&[]);
}

fn mixin_body(data: &[u8]) {
    let parsed = mixin::Body::parse(data);
    let d = mixin::dissect(data);
    check_dissection_ranges(&d, data.len());
    let _ = d.render(data);
    assert_eq!(
        parsed.is_ok(),
        d.problem.is_none(),
        "Body::parse and dissect disagree: {:?} vs {:?}",
        parsed.err(),
        d.problem
    );
    if let Ok(body) = parsed {
        assert_eq!(body.blocks.len(), usize::from(body.session_count));
        for b in &body.blocks {
            assert!(b.range.end <= data.len());
        }
        assert!(body.ciphertext_range.end + mixin::body::TAG_LEN <= data.len());
    }
}

/// A well-formed Mixin body built from fuzz input, with what it holds.
struct MixinCase {
    body: Vec<u8>,
    plaintext: Vec<u8>,
    recipients: usize,
}

fn mixin_case(s: &mut Source<'_>) -> MixinCase {
    let keys = fixed_keys();
    let recipients = 1 + s.below(3);
    let plaintext = s.var_bytes(64).to_vec();
    let mut random = mixin::Randomness {
        message_key: [0; 16],
        nonce: [0; 12],
        ivs: vec![[0; 16]; recipients],
    };
    random.message_key.copy_from_slice(&pad::<16>(s.bytes(16)));
    random.nonce.copy_from_slice(&pad::<12>(s.bytes(12)));
    for iv in random.ivs.iter_mut() {
        *iv = pad::<16>(s.bytes(16));
    }
    let sessions: Vec<_> = keys.mixin_recipients[..recipients]
        .iter()
        .map(|(_, public, id)| mixin::Recipient {
            session_id: *id,
            public_key: public.to_vec(),
        })
        .collect();
    let body = mixin::encrypt(&keys.mixin_sender, &sessions, &plaintext, &random)
        .expect("encrypting with fixed keys");
    MixinCase {
        body,
        plaintext,
        recipients,
    }
}

fn pad<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.iter_mut().zip(b).for_each(|(o, v)| *o = *v);
    out
}

fn mixin_decrypt(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let case = mixin_case(&mut s);
    let keys = fixed_keys();
    // Unedited: every recipient decrypts to the plaintext.
    for (seed, _, id) in &keys.mixin_recipients[..case.recipients] {
        let plain = mixin::decrypt(seed, &session_string(id), &case.body);
        assert_eq!(plain.as_deref(), Ok(&case.plaintext[..]), "unedited body");
    }
    let fields = fields_of(&mixin::dissect(&case.body));
    let mut edited = case.body.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = Edit::from_source(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.apply(&edited, &fields);
    }
    mixin_body(&edited);
    let who = s.below(case.recipients);
    let (seed, _, id) = &keys.mixin_recipients[who];
    if let Ok(plain) = mixin::decrypt(seed, &session_string(id), &edited) {
        assert_eq!(
            plain,
            case.plaintext,
            "an edited body decrypted to a different plaintext: {}",
            hex::encode(&edited)
        );
        return (edited != case.body).then(|| what.join("; "));
    }
    None
}

fn themis_key(data: &[u8]) {
    let checked = themis::key_check(data);
    if let Some(d) = themis::dissect(data) {
        check_dissection_ranges(&d, data.len());
        let _ = d.render(data);
        if data.len() >= 4 && matches!(&data[..3], b"REC" | b"UEC" | b"RRA" | b"URA") {
            assert_eq!(
                checked.is_ok(),
                d.problem.is_none(),
                "key_check and dissect disagree"
            );
        }
    }
    if let Ok(kind) = checked {
        if kind.is_private() {
            // A valid private key has a public key, and that one checks too.
            if let Ok(public) = themis::public_key_for(data) {
                assert!(themis::key_check(&public).is_ok_and(|k| !k.is_private()));
            }
        }
    }
}

fn themis_message(data: &[u8]) {
    let keys = fixed_keys();
    if let Some(d) = themis::dissect(data) {
        check_dissection_ranges(&d, data.len());
        let _ = d.render(data);
    }
    let _ = themis::verify(&keys.alice.1, data);
    let _ = themis::decrypt(&keys.bob.0, &keys.alice.1, data);
}

fn themis_verify(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let keys = fixed_keys();
    let message = s.var_bytes(64).to_vec();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let signed = match themis::sign(&keys.alice.0, &message, &mut rng) {
        Ok(signed) => signed,
        Err(e) => {
            assert!(message.is_empty(), "signing failed: {e}");
            return None;
        }
    };
    assert_eq!(
        themis::verify(&keys.alice.1, &signed).as_deref(),
        Ok(&message[..])
    );
    let fields = fields_of(&themis::dissect(&signed).expect("a signed message dissects"));
    let mut edited = signed.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = Edit::from_source(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.apply(&edited, &fields);
    }
    themis_message(&edited);
    if let Ok(got) = themis::verify(&keys.alice.1, &edited) {
        assert_eq!(
            got,
            message,
            "an edited signed message verified to another message: {}",
            hex::encode(&edited)
        );
        return (edited != signed).then(|| what.join("; "));
    }
    None
}

fn themis_decrypt(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let keys = fixed_keys();
    let message = s.var_bytes(64).to_vec();
    let random = themis::EncryptRandom {
        iv: pad::<12>(s.bytes(12)),
        secret: [0; 70],
        oaep_seed: [0; 20],
    };
    let encrypted = match themis::encrypt(&keys.alice.0, &keys.bob.1, &message, &random) {
        Ok(e) => e,
        Err(e) => {
            assert!(message.is_empty(), "encryption failed: {e}");
            return None;
        }
    };
    assert_eq!(
        themis::decrypt(&keys.bob.0, &keys.alice.1, &encrypted).as_deref(),
        Ok(&message[..])
    );
    let fields = fields_of(&themis::dissect(&encrypted).expect("an encrypted message dissects"));
    let mut edited = encrypted.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = Edit::from_source(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.apply(&edited, &fields);
    }
    themis_message(&edited);
    if let Ok(got) = themis::decrypt(&keys.bob.0, &keys.alice.1, &edited) {
        assert_eq!(
            got,
            message,
            "an edited encrypted message decrypted to another message: {}",
            hex::encode(&edited)
        );
        return (edited != encrypted).then(|| what.join("; "));
    }
    None
}

fn themis_cell(data: &[u8]) {
    // A valid EC encrypted-message header (type, total length) in front of fuzzed cell bytes.
    let keys = fixed_keys();
    let total = u32::try_from(data.len() + 8).unwrap_or(u32::MAX);
    let mut message = Vec::with_capacity(data.len() + 8);
    message.extend_from_slice(&themis::EC_ENCRYPTED.to_le_bytes());
    message.extend_from_slice(&total.to_le_bytes());
    message.extend_from_slice(data);
    if let Some(d) = themis::dissect(&message) {
        check_dissection_ranges(&d, message.len());
    }
    if let Ok(plain) = themis::decrypt(&keys.bob.0, &keys.alice.1, &message) {
        // Only a cell sealed under the fixed pair's secret opens; its length is the token's.
        assert_eq!(plain.len() + 44, data.len());
        assert!(!plain.is_empty());
    }
}

fn vector_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(file) = corpus::parse("fuzz.json", &text) {
        assert_eq!(file.schema_version, corpus::SCHEMA_VERSION);
        // What parses serialises and parses back to the same file.
        let again = serde_json::to_string(&file).expect("a parsed file serialises");
        let back = corpus::parse("fuzz.json", &again).expect("a serialised file parses");
        assert_eq!(back, file);
    }
}

fn iut_reply(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok((id, reply)) = crate::protocol::parse_reply(&text) {
        // What parses is written back as one line that parses to the same reply (a code that
        // was not a string is kept as its JSON text, and written as that string).
        assert_eq!(reply_round_trip(id, &reply), (id, reply));
    }
}

/// Writes a reply line with the protocol's one writer and parses it back.
fn reply_round_trip(id: u64, reply: &Reply) -> (u64, Reply) {
    let mut line = Vec::new();
    crate::protocol::write_reply(&mut line, id, reply).expect("writing to a Vec");
    let text = String::from_utf8(line).expect("a written reply is UTF-8");
    assert_eq!(text.find('\n'), Some(text.len() - 1), "one line: {text:?}");
    crate::protocol::parse_reply(&text).expect("a written reply parses")
}

/// Argument names of PROTOCOL.md, the vocabulary of [`json_value`].
const ARG_NAMES: &[&str] = &[
    "private_key",
    "session_id",
    "body",
    "sessions",
    "plaintext",
    "random",
    "message_key",
    "nonce",
    "ivs",
    "session_ids",
    "public_key",
    "key",
    "message",
    "signed",
    "peer_public_key",
    "encrypted",
    "iv",
    "secret",
    "oaep_seed",
];

/// A JSON-ish value from fuzz input, leaning towards what the ops accept: objects keyed by
/// argument names, hex strings (often of the fixed keys), UUIDs.
pub fn json_value(s: &mut Source<'_>, depth: u32) -> Value {
    let keys = fixed_keys();
    match s.u8() % 12 {
        0 => Value::Null,
        1 => Value::Bool(s.u8() & 1 == 1),
        2 => json!(s.u32()),
        3 => Value::String(String::from_utf8_lossy(s.var_bytes(40)).into_owned()),
        4 | 5 => Value::String(hex::encode(s.var_bytes(80))),
        6 => {
            let pick = s.below(6);
            let b: Vec<u8> = match pick {
                0 => keys.alice.0.clone(),
                1 => keys.alice.1.clone(),
                2 => keys.bob.0.clone(),
                3 => keys.bob.1.clone(),
                4 => keys.mixin_recipients[0].0.to_vec(),
                _ => keys.mixin_recipients[0].1.to_vec(),
            };
            Value::String(hex::encode(b))
        }
        7 => Value::String(session_string(&keys.mixin_recipients[s.below(3)].2)),
        8 | 9 if depth < 3 => {
            let n = s.below(6);
            let mut m = Map::new();
            for _ in 0..n {
                let k = ARG_NAMES[s.below(ARG_NAMES.len())];
                m.insert(k.into(), json_value(s, depth + 1));
            }
            Value::Object(m)
        }
        10 | 11 if depth < 3 => {
            let n = s.below(4);
            Value::Array((0..n).map(|_| json_value(s, depth + 1)).collect())
        }
        _ => Value::String(String::new()),
    }
}

fn protocol_request(data: &[u8]) {
    let mut s = Source::new(data);
    let op = OPS[s.below(OPS.len())];
    let args = if s.u8() % 4 == 0 {
        // Raw JSON text, for what the structured generator cannot say.
        serde_json::from_slice(s.rest()).unwrap_or(Value::Null)
    } else {
        let mut m = Map::new();
        for _ in 0..s.below(7) {
            let k = ARG_NAMES[s.below(ARG_NAMES.len())];
            m.insert(k.into(), json_value(&mut s, 1));
        }
        Value::Object(m)
    };
    let mut reference = Reference::with_rng(ChaCha8Rng::seed_from_u64(7));
    let reply = reference.answer(op, &args);
    // Errors without a stage are argument errors, and only those.
    if let Reply::Error { code, stage, .. } = &reply {
        assert_eq!(
            code.as_deref() == Some(BAD_ARGS),
            stage.is_none(),
            "{op}: {reply:?}"
        );
    }
    if let Reply::Unsupported(why) = &reply {
        panic!("{op} unsupported: {why}");
    }
    assert_eq!(reply_round_trip(1, &reply), (1, reply));
}

// ---------------------------------------------------------------------------------------------
// The differential fuzzer
// ---------------------------------------------------------------------------------------------

/// `sealcheck fuzz`: mutate corpus vectors and compare the reference with an IUT.
#[derive(Debug, Clone, clap::Args)]
pub struct FuzzArgs {
    /// The command that starts the implementation under test (docs/PROTOCOL.md).
    #[arg(long)]
    pub target: String,
    /// Seed of the mutations; the same seed gives the same mutants.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many mutants to try.
    #[arg(long, default_value_t = 1000)]
    pub iterations: usize,
    /// Write the shrunk disagreements here as a vector file (one op per file: with several
    /// ops, `NAME.json` becomes `NAME-<op>.json`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Vector files to mutate instead of the embedded corpus (repeatable).
    #[arg(long = "vectors", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// One change to a mutant's args, at a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An [`Edit`] of a hex field, aimed at the fields its dissection names.
    Bytes(Edit),
    /// An [`Edit`] of a text field (session ids), on its UTF-8 bytes.
    Text(Edit),
    /// Upper-case a text field.
    Upper,
    /// Drop an item of an array.
    DropItem(usize),
    /// Duplicate an item of an array.
    DupItem(usize),
}

/// A change and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgEdit {
    /// JSON pointer into the args, e.g. `/body` or `/sessions/0/session_id`.
    pub pointer: String,
    /// What changes.
    pub change: Change,
}

/// The dissected fields of a hex argument, when it is a body, a message or a key.
fn arg_fields(op: &str, name: &str, bytes: &[u8]) -> Vec<(String, Range<usize>)> {
    match (op.split('.').next(), name) {
        (Some("mixin"), "body") => fields_of(&mixin::dissect(bytes)),
        (Some("themis"), _) => themis::dissect(bytes)
            .map(|d| fields_of(&d))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl ArgEdit {
    /// Applies the edit to `args` (no-op if the pointer no longer leads anywhere).
    pub fn apply(&self, op: &str, args: &mut Value) {
        let Some(target) = args.pointer_mut(&self.pointer) else {
            return;
        };
        let name = self.pointer.rsplit('/').next().unwrap_or("");
        match (&self.change, target) {
            (Change::Bytes(edit), Value::String(s)) => {
                if let Ok(bytes) = hex::decode(&*s) {
                    let fields = arg_fields(op, name, &bytes);
                    *s = hex::encode(edit.apply(&bytes, &fields));
                }
            }
            (Change::Text(edit), Value::String(s)) => {
                *s = String::from_utf8_lossy(&edit.apply(s.as_bytes(), &[])).into_owned();
            }
            (Change::Upper, Value::String(s)) => *s = s.to_uppercase(),
            (Change::DropItem(i), Value::Array(a)) if !a.is_empty() => {
                let i = i % a.len();
                a.remove(i);
            }
            (Change::DupItem(i), Value::Array(a)) if !a.is_empty() => {
                let i = i % a.len();
                let item = a[i].clone();
                a.insert(i, item);
            }
            _ => {}
        }
    }

    /// In words, naming the dissected field for byte edits of `base`.
    pub fn describe(&self, op: &str, args: &Value) -> String {
        let name = self.pointer.rsplit('/').next().unwrap_or("");
        let what = match &self.change {
            Change::Bytes(edit) => {
                let bytes = args
                    .pointer(&self.pointer)
                    .and_then(Value::as_str)
                    .and_then(|s| hex::decode(s).ok())
                    .unwrap_or_default();
                edit.describe(&arg_fields(op, name, &bytes))
            }
            Change::Text(edit) => edit.describe(&[]),
            Change::Upper => "upper-case".into(),
            Change::DropItem(i) => format!("drop item {i}"),
            Change::DupItem(i) => format!("duplicate item {i}"),
        };
        format!("{}: {what}", self.pointer)
    }
}

/// Where in the args a change can go: (pointer, kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Hex,
    Text,
    Array,
}

fn slots(v: &Value, pointer: &str, out: &mut Vec<(String, Slot)>) {
    // Injected randomness is not input under test: adapters feed it to the library as a
    // stream, so its lengths and counts (and the session count they must match) say nothing
    // about the implementation. Session ids and keys inside `sessions` are mutated.
    if pointer.starts_with("/random") {
        return;
    }
    match v {
        Value::Array(a) if pointer == "/sessions" => {
            for (i, x) in a.iter().enumerate() {
                slots(x, &format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                slots(x, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(a) => {
            out.push((pointer.to_string(), Slot::Array));
            for (i, x) in a.iter().enumerate() {
                slots(x, &format!("{pointer}/{i}"), out);
            }
        }
        Value::String(s) => {
            let hexy = s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit());
            let name = pointer.rsplit('/').next().unwrap_or("");
            let is_id = name == "session_id" || pointer.starts_with("/session_ids");
            if hexy && !is_id {
                out.push((pointer.to_string(), Slot::Hex));
            } else {
                out.push((pointer.to_string(), Slot::Text));
            }
        }
        _ => {}
    }
}

/// Ops whose output is a function of the args (the randomised ones are skipped).
fn deterministic(op: &str, args: &Value) -> bool {
    match op {
        "themis.sign" => false,
        "mixin.encrypt" | "themis.encrypt" => args.get("random").is_some_and(|r| !r.is_null()),
        _ => true,
    }
}

/// What a disagreement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The reference rejects, the IUT accepts.
    InvalidAccepted,
    /// The reference accepts, the IUT rejects.
    ValidRejected,
    /// Both accept with different outputs.
    DifferentOutput,
    /// The IUT crashed, timed out or broke the protocol.
    NoReply,
}

impl Kind {
    /// Short name for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Kind::InvalidAccepted => "invalid-accepted",
            Kind::ValidRejected => "valid-rejected",
            Kind::DifferentOutput => "different-output",
            Kind::NoReply => "iut-no-reply",
        }
    }
}

/// How the two answers compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Same verdict (and output), or both rejected at the same stage (or one without a stage).
    Agree,
    /// The IUT does not support this request.
    Unsupported,
    /// Both rejected, at different canonical stages.
    StageMismatch,
    /// A disagreement.
    Disagree(Kind),
}

/// Compares the reference's reply with the IUT's.
pub fn compare(reference: &Reply, iut: &Result<Reply, Failure>) -> Comparison {
    match (reference, iut) {
        (_, Ok(Reply::Unsupported(_))) => Comparison::Unsupported,
        (_, Err(_)) => Comparison::Disagree(Kind::NoReply),
        (Reply::Ok(a), Ok(Reply::Ok(b))) if a == b => Comparison::Agree,
        (Reply::Ok(_), Ok(Reply::Ok(_))) => Comparison::Disagree(Kind::DifferentOutput),
        (Reply::Ok(_), Ok(Reply::Error { .. })) => Comparison::Disagree(Kind::ValidRejected),
        (Reply::Error { .. }, Ok(Reply::Ok(_))) => Comparison::Disagree(Kind::InvalidAccepted),
        (Reply::Error { stage: Some(a), .. }, Ok(Reply::Error { stage: Some(b), .. }))
            if a != b =>
        {
            Comparison::StageMismatch
        }
        (Reply::Unsupported(_), _) => Comparison::Unsupported,
        _ => Comparison::Agree,
    }
}

/// A mutant: a corpus vector's args with changes applied in order.
#[derive(Debug, Clone)]
struct Mutant {
    base: usize,
    edits: Vec<ArgEdit>,
}

struct Base {
    op: String,
    id: String,
    args: Value,
}

impl Mutant {
    fn args(&self, bases: &[Base]) -> Value {
        let base = &bases[self.base];
        let mut args = base.args.clone();
        for e in &self.edits {
            e.apply(&base.op, &mut args);
        }
        args
    }

    fn describe(&self, bases: &[Base]) -> String {
        let base = &bases[self.base];
        let mut args = base.args.clone();
        let mut parts = Vec::new();
        for e in &self.edits {
            parts.push(e.describe(&base.op, &args));
            e.apply(&base.op, &mut args);
        }
        parts.join("; ")
    }
}

fn random_edit(rng: &mut ChaCha8Rng, args: &Value) -> Option<ArgEdit> {
    let mut found = Vec::new();
    slots(args, "", &mut found);
    if found.is_empty() {
        return None;
    }
    // Bodies, messages and keys get most of the attention.
    let (pointer, slot) = found[(rng.next_u32() as usize) % found.len()].clone();
    let mut raw = [0u8; 48];
    rng.fill_bytes(&mut raw);
    let mut s = Source::new(&raw);
    let change = match slot {
        Slot::Hex => Change::Bytes(Edit::from_source(&mut s)),
        Slot::Text if s.u8() % 3 == 0 => Change::Upper,
        Slot::Text => Change::Text(Edit::from_source(&mut s)),
        Slot::Array if s.u8() % 2 == 0 => Change::DropItem(s.below(8)),
        Slot::Array => Change::DupItem(s.below(8)),
    };
    Some(ArgEdit { pointer, change })
}

/// One disagreement, shrunk.
struct Finding {
    op: String,
    kind: Kind,
    mutant: Mutant,
    args: Value,
    reference: Reply,
    iut: Result<Reply, Failure>,
}

fn reply_summary(r: &Result<Reply, Failure>) -> String {
    match r {
        Ok(Reply::Ok(v)) => format!("accepted, answering {}", short_json(v)),
        Ok(Reply::Error { message, stage, .. }) => format!(
            "rejected{}: {}",
            stage.map(|s| format!(" at {s}")).unwrap_or_default(),
            message.chars().take(160).collect::<String>()
        ),
        Ok(Reply::Unsupported(why)) => format!("unsupported: {why}"),
        Err(f) => {
            // A crash carries the stderr tail: keep the line that says what happened.
            let text = f.to_string();
            let first = text.lines().next().unwrap_or("").to_string();
            match text
                .lines()
                .find(|l| l.starts_with("panic:") || l.contains("Error"))
            {
                Some(l) if l != first => format!("{first} ... {}", l.trim()),
                _ => first,
            }
        }
    }
}

fn short_json(v: &Value) -> String {
    let t = v.to_string();
    if t.len() > 120 {
        format!(
            "{}...",
            &t[..t.char_indices().nth(117).map_or(t.len(), |(i, _)| i)]
        )
    } else {
        t
    }
}

fn signature(op: &str, kind: Kind, r: &Reply, iut: &Result<Reply, Failure>, m: &Mutant) -> String {
    let stage = |r: &Reply| match r {
        Reply::Ok(_) => "ok".to_string(),
        Reply::Error { stage, code, .. } => stage
            .map(|s| s.as_str().to_string())
            .or_else(|| code.clone())
            .unwrap_or_else(|| "error".into()),
        Reply::Unsupported(_) => "unsupported".into(),
    };
    let iut_stage = match iut {
        Ok(r) => stage(r),
        Err(f) => f.to_string().split(':').next().unwrap_or("").to_string(),
    };
    let last = m.edits.last().map(|e| {
        let kind = match &e.change {
            Change::Bytes(_) => "bytes",
            Change::Text(_) => "text",
            Change::Upper => "upper",
            Change::DropItem(_) => "drop",
            Change::DupItem(_) => "dup",
        };
        let ptr: String = e
            .pointer
            .split('/')
            .filter(|p| p.parse::<usize>().is_err())
            .collect::<Vec<_>>()
            .join("/");
        format!("{ptr}:{kind}")
    });
    format!(
        "{op} {} ref={} iut={iut_stage} {}",
        kind.label(),
        stage(r),
        last.unwrap_or_default()
    )
}

/// Runs `sealcheck fuzz`; exit 0 without disagreements, 1 with some, 2 on setup errors.
pub fn main(args: &FuzzArgs) -> ExitCode {
    match run(args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("sealcheck fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

/// How many requests go to the IUT in one pipelined batch.
const BATCH: usize = 200;
/// How many disagreements of one signature are shrunk and written.
const KEEP_PER_SIGNATURE: usize = 2;

/// The fuzz loop; returns the number of disagreements.
fn run(args: &FuzzArgs) -> Result<usize, String> {
    let files = if args.files.is_empty() {
        corpus::load_embedded()?
    } else {
        corpus::load_paths(&args.files)?
    };
    let mut iut = crate::iut::subprocess::Subprocess::spawn(&args.target)?;
    let hello = iut.hello()?;
    let bases: Vec<Base> = files
        .iter()
        .flat_map(|(_, f)| f.tests.iter().map(move |v| (f.op.clone(), v)))
        .filter(|(op, v)| hello.ops.contains(op) && deterministic(op, &v.args))
        .map(|(op, v)| Base {
            op,
            id: v.id.clone(),
            args: v.args.clone(),
        })
        .collect();
    // Mutate only vectors on which the two already agree: a corpus vector the IUT fails is a
    // known failure (`sealcheck run` reports it), and every mutant of it would repeat it.
    let base_args: Vec<(&str, &Value)> = bases.iter().map(|b| (b.op.as_str(), &b.args)).collect();
    let base_replies = iut.call_many(&base_args, &mut |_| {});
    let mut reference = Reference::with_rng(ChaCha8Rng::seed_from_u64(args.seed));
    let before = bases.len();
    let bases: Vec<Base> = bases
        .into_iter()
        .zip(base_replies)
        .filter(|(b, got)| {
            matches!(
                compare(&reference.answer(&b.op, &b.args), got),
                Comparison::Agree | Comparison::StageMismatch
            )
        })
        .map(|(b, _)| b)
        .collect();
    println!(
        "{} of {before} corpus vectors already disagree or are unsupported; mutating the other {}",
        before - bases.len(),
        bases.len()
    );
    if bases.is_empty() {
        return Err(format!(
            "{} {} implements none of the corpus's deterministic ops",
            hello.name, hello.version
        ));
    }
    println!(
        "fuzzing {} {} from {} corpus vectors, seed {}, {} iterations",
        hello.name,
        hello.version,
        bases.len(),
        args.seed,
        args.iterations
    );
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut by_signature: BTreeMap<String, usize> = BTreeMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut done = 0usize;
    while done < args.iterations {
        let n = BATCH.min(args.iterations - done);
        let mutants: Vec<Mutant> = (0..n)
            .map(|_| {
                let base = (rng.next_u32() as usize) % bases.len();
                let mut m = Mutant {
                    base,
                    edits: Vec::new(),
                };
                let k = 1 + (rng.next_u32() % 3) as usize;
                for _ in 0..k {
                    let current = m.args(&bases);
                    if let Some(e) = random_edit(&mut rng, &current) {
                        m.edits.push(e);
                    }
                }
                m
            })
            .collect();
        let all_args: Vec<Value> = mutants.iter().map(|m| m.args(&bases)).collect();
        let requests: Vec<(&str, &Value)> = mutants
            .iter()
            .zip(&all_args)
            .map(|(m, a)| (bases[m.base].op.as_str(), a))
            .collect();
        let replies = iut.call_many(&requests, &mut |_| {});
        for ((m, a), got) in mutants.iter().zip(&all_args).zip(replies) {
            let op = bases[m.base].op.as_str();
            let want = reference.answer(op, a);
            match compare(&want, &got) {
                Comparison::Agree => *counts.entry("agree").or_default() += 1,
                Comparison::Unsupported => *counts.entry("unsupported").or_default() += 1,
                Comparison::StageMismatch => *counts.entry("stage-mismatch").or_default() += 1,
                Comparison::Disagree(kind) => {
                    *by_kind.entry(kind).or_default() += 1;
                    let sig = signature(op, kind, &want, &got, m);
                    let seen = by_signature.entry(sig).or_default();
                    *seen += 1;
                    if *seen <= KEEP_PER_SIGNATURE {
                        let f = shrink(&mut iut, &mut reference, &bases, m.clone(), kind);
                        findings.push(f);
                    }
                }
            }
        }
        done += n;
    }
    let total: usize = by_kind.values().sum();
    println!("{done} iterations: {total} disagreements");
    for (label, n) in &counts {
        println!("  {label:<18} {n}");
    }
    for (kind, n) in &by_kind {
        println!("  {:<18} {n}", kind.label());
    }
    println!("{} distinct signatures:", by_signature.len());
    for (sig, n) in &by_signature {
        println!("  {n:>6}  {sig}");
    }
    for f in &findings {
        println!(
            "finding {} {}: {}\n    reference: {}\n    {}: {}",
            f.op,
            f.kind.label(),
            f.mutant.describe(&bases),
            reply_summary(&Ok(f.reference.clone())),
            hello.name,
            reply_summary(&f.iut)
        );
    }
    if let Some(out) = &args.out {
        let written = write_findings(out, &findings, &bases, &hello, args.seed)?;
        for p in written {
            println!("wrote {}", p.display());
        }
    }
    Ok(total)
}

/// Undoes edits one at a time while the same kind of disagreement persists.
fn shrink(
    iut: &mut dyn Implementation,
    reference: &mut Reference,
    bases: &[Base],
    mut m: Mutant,
    kind: Kind,
) -> Finding {
    let op = bases[m.base].op.clone();
    let mut budget = 24usize;
    let mut changed = true;
    while changed && budget > 0 {
        changed = false;
        for i in (0..m.edits.len()).rev() {
            if m.edits.len() == 1 || budget == 0 {
                break;
            }
            let mut candidate = m.clone();
            candidate.edits.remove(i);
            budget -= 1;
            let a = candidate.args(bases);
            let want = reference.answer(&op, &a);
            let got = iut.call(&op, &a);
            if compare(&want, &got) == Comparison::Disagree(kind) {
                m = candidate;
                changed = true;
            }
        }
    }
    // Smaller insertions where the disagreement survives.
    for i in 0..m.edits.len() {
        while budget > 0 {
            let ArgEdit {
                change: Change::Bytes(Edit::Insert { field, bytes }),
                pointer,
            } = &m.edits[i]
            else {
                break;
            };
            if bytes.len() <= 1 {
                break;
            }
            let mut candidate = m.clone();
            candidate.edits[i] = ArgEdit {
                pointer: pointer.clone(),
                change: Change::Bytes(Edit::Insert {
                    field: *field,
                    bytes: bytes[..bytes.len() / 2].to_vec(),
                }),
            };
            budget -= 1;
            let a = candidate.args(bases);
            let want = reference.answer(&op, &a);
            let got = iut.call(&op, &a);
            if compare(&want, &got) == Comparison::Disagree(kind) {
                m = candidate;
            } else {
                break;
            }
        }
    }
    let args = m.args(bases);
    let reference_reply = reference.answer(&op, &args);
    let iut_reply = iut.call(&op, &args);
    Finding {
        op,
        kind,
        mutant: m,
        args,
        reference: reference_reply,
        iut: iut_reply,
    }
}

fn write_findings(
    out: &std::path::Path,
    findings: &[Finding],
    bases: &[Base],
    hello: &crate::protocol::Hello,
    seed: u64,
) -> Result<Vec<PathBuf>, String> {
    let mut ops: Vec<&str> = findings.iter().map(|f| f.op.as_str()).collect();
    ops.sort_unstable();
    ops.dedup();
    let mut written = Vec::new();
    let iut_name = format!("{} {}", hello.name, hello.version);
    // Ids are unique across the corpus: name them after the output file.
    let tag = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "findings".into());
    for op in &ops {
        let path = if ops.len() == 1 {
            out.to_path_buf()
        } else {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "findings".into());
            out.with_file_name(format!("{stem}-{op}.json"))
        };
        let mut tests = Vec::new();
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut seen_args = Vec::new();
        for (n, f) in findings.iter().filter(|f| f.op == *op).enumerate() {
            // Shrinking can bring two mutants to the same args: keep one.
            if seen_args.contains(&&f.args) {
                continue;
            }
            seen_args.push(&f.args);
            *kinds.entry(f.kind.label()).or_default() += 1;
            let (result, ok, stage, group) = match &f.reference {
                Reply::Ok(v) => (Verdict::Valid, Some(v.clone()), None, "valid".to_string()),
                Reply::Error { stage, .. } => (
                    Verdict::Invalid,
                    None,
                    *stage,
                    stage.map_or_else(|| "bad_args".to_string(), |s: Stage| s.to_string()),
                ),
                Reply::Unsupported(_) => continue,
            };
            let base = &bases[f.mutant.base];
            tests.push(Vector {
                id: format!("{op}/{group}/fuzz-{tag}-s{seed}-{n}"),
                comment: format!(
                    "Mutant of {}: {}. The reference {}; {iut_name} {} ({}).",
                    base.id,
                    f.mutant.describe(bases),
                    match &f.reference {
                        Reply::Ok(_) => "accepts".to_string(),
                        r => format!("rejects ({})", reply_summary(&Ok(r.clone()))),
                    },
                    reply_summary(&f.iut),
                    f.kind.label()
                ),
                flags: vec!["FuzzFound".into()],
                args: f.args.clone(),
                expected: Expected {
                    result,
                    ok,
                    stage,
                    check: None,
                    provenance: vec![Provenance {
                        kind: "reference".into(),
                        source: format!("sealcheck fuzz seed {seed}"),
                    }],
                },
            });
        }
        let summary = kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut implementations = BTreeMap::new();
        implementations.insert(
            iut_name.clone(),
            format!("disagrees with the reference: {summary}"),
        );
        let mut notes = BTreeMap::new();
        notes.insert(
            "FuzzFound".to_string(),
            Note {
                bug_type: "FuzzFound".into(),
                description: "Found by differential fuzzing (sealcheck fuzz): the reference and a \
                              real implementation disagree on this mutant of a corpus vector; \
                              shrunk, expectation from the reference."
                    .into(),
                implementations,
                references: Vec::new(),
            },
        );
        let file = VectorFile {
            schema_version: corpus::SCHEMA_VERSION,
            format: op.split('.').next().unwrap_or("").to_string(),
            op: op.to_string(),
            description: format!(
                "Disagreements between the reference and {iut_name} found by `sealcheck fuzz \
                 --seed {seed}`, shrunk."
            ),
            generator: None,
            notes,
            tests,
            accumulated: Vec::new(),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_is_total() {
        let mut s = Source::new(&[1, 2, 3]);
        assert_eq!(s.u16(), 0x0201);
        assert_eq!(s.u32(), 3);
        assert!(s.is_empty());
        assert_eq!(s.bytes(5), &[] as &[u8]);
        assert_eq!(s.below(7), 0);
    }

    #[test]
    fn edits_aim_at_fields() {
        let fields = vec![("a".to_string(), 0..2), ("b".to_string(), 2..6)];
        let bytes = [0u8; 6];
        let set = Edit::SetU32 {
            field: 1,
            value: 0x0403_0201,
        };
        assert_eq!(set.apply(&bytes, &fields), [0, 0, 1, 2, 3, 4]);
        let cut = Edit::Truncate { field: 1, delta: 1 };
        assert_eq!(cut.apply(&bytes, &fields).len(), 3);
        let flip = Edit::FlipBit { field: 2, bit: 9 };
        assert_eq!(flip.apply(&bytes, &fields), [0, 2, 0, 0, 0, 0]);
        assert_eq!(flip.describe(&fields), "flip bit 9 of a");
        let swap = Edit::Swap { a: 0, b: 1 };
        assert_eq!(swap.apply(&[1, 2, 3, 4, 5, 6], &fields), [3, 4, 1, 2, 5, 6]);
    }

    #[test]
    fn comparisons() {
        let ok = |v: Value| Reply::Ok(v);
        let err = |s: Option<Stage>| Reply::error("x", None, s);
        assert_eq!(compare(&ok(json!(1)), &Ok(ok(json!(1)))), Comparison::Agree);
        assert_eq!(
            compare(&ok(json!(1)), &Ok(ok(json!(2)))),
            Comparison::Disagree(Kind::DifferentOutput)
        );
        assert_eq!(
            compare(&err(Some(Stage::Length)), &Ok(ok(json!(1)))),
            Comparison::Disagree(Kind::InvalidAccepted)
        );
        assert_eq!(
            compare(&ok(json!(1)), &Ok(err(None))),
            Comparison::Disagree(Kind::ValidRejected)
        );
        assert_eq!(
            compare(&err(Some(Stage::Length)), &Ok(err(Some(Stage::Version)))),
            Comparison::StageMismatch
        );
        assert_eq!(
            compare(&err(Some(Stage::Length)), &Ok(err(None))),
            Comparison::Agree
        );
        assert_eq!(
            compare(&ok(json!(1)), &Err(Failure::Crashed("x".into()))),
            Comparison::Disagree(Kind::NoReply)
        );
    }

    #[test]
    fn arg_edits_find_dissected_fields() {
        let keys = fixed_keys();
        let (seed, public, id) = &keys.mixin_recipients[0];
        let body = mixin::encrypt(
            &keys.mixin_sender,
            &[mixin::Recipient {
                session_id: *id,
                public_key: public.to_vec(),
            }],
            b"hi",
            &mixin::Randomness {
                message_key: [1; 16],
                nonce: [2; 12],
                ivs: vec![[3; 16]],
            },
        )
        .unwrap();
        let mut args = json!({"private_key": hex::encode(seed), "session_id": session_string(id), "body": hex::encode(&body)});
        let edit = ArgEdit {
            pointer: "/body".into(),
            change: Change::Bytes(Edit::SetU16 { field: 1, value: 9 }),
        };
        assert_eq!(
            edit.describe("mixin.decrypt", &args),
            "/body: set session_count to u16 9"
        );
        edit.apply("mixin.decrypt", &mut args);
        let reply = Reference::default().answer("mixin.decrypt", &args);
        assert!(matches!(
            reply,
            Reply::Error {
                stage: Some(Stage::SessionCount),
                ..
            }
        ));
        let mut found = Vec::new();
        slots(
            &json!({"random": {"nonce": "00"}, "sessions": [{"session_id": "x"}]}),
            "",
            &mut found,
        );
        assert_eq!(
            found,
            vec![("/sessions/0/session_id".to_string(), Slot::Text)]
        );
    }
}
