//! The typed view of an encrypted message body (docs/mixin-encrypted-message.md, "Body").
//!
//! ```text
//! 0        1   version (1)
//! 1        2   n, session count, u16 little-endian
//! 3        32  sender X25519 public key
//! 35       64n blocks: session id (16) || CBC IV (16) || wrapped message key (32)
//! 35+64n   12  GCM nonce
//! 47+64n   L   ciphertext
//! end-16   16  GCM tag
//! ```

use super::MixinError;
use crate::wire::{Codec, Dissection, FieldKind, Reader};
use std::ops::Range;
use uuid::Uuid;

/// The only version byte defined.
pub const VERSION: u8 = 1;
/// version + count + sender key.
pub const HEADER_LEN: usize = 35;
/// session id + IV + wrapped key.
pub const BLOCK_LEN: usize = 64;
/// AES-GCM nonce length.
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;

/// One recipient session's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Session id, 16 bytes in the textual order of the UUID.
    pub session_id: [u8; 16],
    /// AES-256-CBC IV of the wrapped key.
    pub iv: [u8; 16],
    /// AES-256-CBC(message key || 16 × 0x10).
    pub wrapped_key: [u8; 32],
    /// Where the block sits in the body.
    pub range: Range<usize>,
}

impl Block {
    /// The session id as Go's uuid package prints it: lowercase, hyphenated.
    pub fn session_id_string(&self) -> String {
        Uuid::from_bytes(self.session_id).hyphenated().to_string()
    }
}

/// A well-formed body, every field with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body<'a> {
    /// Version byte (always [`VERSION`] in a parsed body).
    pub version: u8,
    /// Session count as written.
    pub session_count: u16,
    /// The sender's X25519 public key.
    pub sender_key: [u8; 32],
    /// The session blocks, in body order.
    pub blocks: Vec<Block>,
    /// The GCM nonce.
    pub nonce: [u8; 12],
    /// Ciphertext followed by the tag, as AES-GCM opens it.
    pub sealed: &'a [u8],
    /// Where the ciphertext sits.
    pub ciphertext_range: Range<usize>,
}

impl<'a> Body<'a> {
    /// Parses a body strictly: the first defect is returned as a typed error.
    pub fn parse(bytes: &'a [u8]) -> Result<Body<'a>, MixinError> {
        walk(bytes, None)
    }

    /// The one block whose session id, printed lowercase and hyphenated, equals `session_id`
    /// exactly (as bot-api-go-client compares them). Two such blocks are refused: real
    /// implementations take the first or the last, so the body means different things to
    /// different readers (docs/verdict-changes.md A8).
    pub fn find(&self, session_id: &str) -> Result<&Block, MixinError> {
        let mut matching = self
            .blocks
            .iter()
            .filter(|b| b.session_id_string() == session_id);
        let first = matching
            .next()
            .ok_or_else(|| MixinError::SessionNotFound(session_id.to_owned()))?;
        match matching.count() {
            0 => Ok(first),
            more => Err(MixinError::DuplicateSession {
                session_id: session_id.to_owned(),
                blocks: more + 1,
            }),
        }
    }
}

/// A body by its content, as encryption writes it: the count is derived from the blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyParts {
    /// The version byte ([`VERSION`] in everything written).
    pub version: u8,
    /// The sender's X25519 public key.
    pub sender_key: [u8; 32],
    /// One block per session: id, CBC IV, wrapped key.
    pub blocks: Vec<BlockParts>,
    /// The GCM nonce.
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the GCM tag.
    pub sealed: Vec<u8>,
}

/// One session's block by its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockParts {
    /// Session id bytes (textual UUID order).
    pub session_id: [u8; 16],
    /// AES-256-CBC IV of the wrapped key.
    pub iv: [u8; 16],
    /// AES-256-CBC(message key || padding).
    pub wrapped_key: [u8; 32],
}

impl Codec for BodyParts {
    type Error = MixinError;

    fn read(bytes: &[u8]) -> Result<Self, MixinError> {
        let body = Body::parse(bytes)?;
        Ok(BodyParts {
            version: body.version,
            sender_key: body.sender_key,
            blocks: body
                .blocks
                .iter()
                .map(|b| BlockParts {
                    session_id: b.session_id,
                    iv: b.iv,
                    wrapped_key: b.wrapped_key,
                })
                .collect(),
            nonce: body.nonce,
            sealed: body.sealed.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let count = u16::try_from(self.blocks.len()).unwrap_or(u16::MAX);
        out.push(self.version);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&self.sender_key);
        for b in &self.blocks {
            out.extend_from_slice(&b.session_id);
            out.extend_from_slice(&b.iv);
            out.extend_from_slice(&b.wrapped_key);
        }
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.sealed);
    }
}

/// Lays the body out field by field for `sealcheck inspect`, naming the first thing wrong.
pub fn dissect(bytes: &[u8]) -> Dissection {
    let mut d = Dissection::new("Mixin encrypted message body");
    if let Err(e) = walk(bytes, Some(&mut d)) {
        d.problem(e.to_string());
    }
    d
}

fn take<'a>(
    r: &mut Reader<'a>,
    n: usize,
    field: &'static str,
) -> Result<(&'a [u8], Range<usize>), MixinError> {
    let offset = r.pos();
    let available = r.remaining();
    r.take_ranged(n).ok_or(MixinError::Truncated {
        field,
        offset,
        needed: n,
        available,
    })
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.iter_mut().zip(bytes).for_each(|(o, b)| *o = *b);
    out
}

/// Records fields into a dissection when there is one; costs nothing when there is not.
struct Recorder<'d>(Option<&'d mut Dissection>);

impl Recorder<'_> {
    fn field(
        &mut self,
        name: impl FnOnce() -> String,
        range: Range<usize>,
        note: impl FnOnce() -> String,
    ) {
        self.field_as(name, range, note, FieldKind::Bytes);
    }

    fn field_as(
        &mut self,
        name: impl FnOnce() -> String,
        range: Range<usize>,
        note: impl FnOnce() -> String,
        kind: FieldKind,
    ) {
        if let Some(d) = self.0.as_deref_mut() {
            d.field_as(name(), range, note(), kind);
        }
    }
}

/// The single decoder. With a dissection it records every field it reads and keeps going past
/// a wrong version byte, so `inspect` shows the whole body; the first error is still returned.
fn walk<'a>(bytes: &'a [u8], d: Option<&mut Dissection>) -> Result<Body<'a>, MixinError> {
    let dissecting = d.is_some();
    let mut first_error = None;
    let result = walk_fields(bytes, &mut Recorder(d), dissecting, &mut first_error);
    match (first_error, result) {
        (Some(first), _) => Err(first),
        (None, result) => result,
    }
}

fn walk_fields<'a>(
    bytes: &'a [u8],
    rec: &mut Recorder<'_>,
    dissecting: bool,
    first_error: &mut Option<MixinError>,
) -> Result<Body<'a>, MixinError> {
    let mut r = Reader::new(bytes);

    let (v, range) = take(&mut r, 1, "version")?;
    let version = v.first().copied().unwrap_or_default();
    rec.field_as(
        || "version".into(),
        range,
        || version.to_string(),
        FieldKind::uint_le(1),
    );
    if version != VERSION {
        if !dissecting {
            return Err(MixinError::Version(version));
        }
        *first_error = Some(MixinError::Version(version));
    }

    let (c, range) = take(&mut r, 2, "session count")?;
    let session_count = u16::from_le_bytes(array(c));
    rec.field_as(
        || "session_count".into(),
        range,
        || {
            format!(
                "{session_count} session{}, u16 little-endian",
                if session_count == 1 { "" } else { "s" }
            )
        },
        FieldKind::uint_le(2),
    );

    let (k, range) = take(&mut r, 32, "sender key")?;
    let sender_key = array(k);
    rec.field(|| "sender_key".into(), range, || "X25519 public key".into());

    let needed = usize::from(session_count) * BLOCK_LEN;
    if needed > r.remaining() {
        return Err(MixinError::SessionCount {
            declared: session_count,
            needed,
            available: r.remaining(),
        });
    }
    let mut blocks = Vec::with_capacity(usize::from(session_count));
    for i in 0..usize::from(session_count) {
        let start = r.pos();
        let (id, id_range) = take(&mut r, 16, "session id")?;
        let (iv, iv_range) = take(&mut r, 16, "CBC IV")?;
        let (wk, wk_range) = take(&mut r, 32, "wrapped key")?;
        let block = Block {
            session_id: array(id),
            iv: array(iv),
            wrapped_key: array(wk),
            range: start..r.pos(),
        };
        rec.field(
            || format!("session[{i}].id"),
            id_range,
            || block.session_id_string(),
        );
        rec.field(|| format!("session[{i}].iv"), iv_range, String::new);
        rec.field(
            || format!("session[{i}].wrapped_key"),
            wk_range,
            || "AES-256-CBC(message key || 16 x 0x10)".into(),
        );
        blocks.push(block);
    }

    let (n, range) = take(&mut r, NONCE_LEN, "GCM nonce")?;
    let nonce = array(n);
    rec.field(|| "nonce".into(), range, || "AES-128-GCM nonce".into());

    if r.remaining() < TAG_LEN {
        return Err(MixinError::Truncated {
            field: "GCM tag",
            offset: r.pos(),
            needed: TAG_LEN,
            available: r.remaining(),
        });
    }
    let sealed_start = r.pos();
    let sealed = r.rest();
    let tag_start = bytes.len() - TAG_LEN;
    let ciphertext_range = sealed_start..tag_start;
    let ciphertext_len = ciphertext_range.len();
    rec.field(
        || "ciphertext".into(),
        ciphertext_range.clone(),
        || format!("{ciphertext_len} bytes of plaintext"),
    );
    rec.field(
        || "tag".into(),
        tag_start..bytes.len(),
        || "AES-GCM tag".into(),
    );

    Ok(Body {
        version,
        session_count,
        sender_key,
        blocks,
        nonce,
        sealed,
        ciphertext_range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body with `n` blocks of recognisable bytes and `l` bytes of ciphertext.
    fn body(version: u8, count: u16, blocks: usize, l: usize) -> Vec<u8> {
        let mut b = vec![version];
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&[0xaa; 32]);
        for i in 0..blocks {
            b.extend_from_slice(&[i as u8; 64]);
        }
        b.extend_from_slice(&[0xbb; 12]);
        b.extend(std::iter::repeat_n(0xcc, l));
        b.extend_from_slice(&[0xdd; 16]);
        b
    }

    #[test]
    fn parses_every_field() {
        let bytes = body(1, 2, 2, 5);
        let b = Body::parse(&bytes).unwrap();
        assert_eq!(b.session_count, 2);
        assert_eq!(b.blocks.len(), 2);
        assert_eq!(b.blocks[1].range, 99..163);
        assert_eq!(b.nonce, [0xbb; 12]);
        assert_eq!(b.ciphertext_range, 175..180);
        assert_eq!(b.sealed.len(), 5 + 16);
    }

    #[test]
    fn each_truncation_names_its_field() {
        let full = body(1, 1, 1, 2);
        let cases = [
            (0, "version"),
            (1, "session count"),
            (2, "session count"),
            (3, "sender key"),
            (34, "sender key"),
            (35 + 64, "GCM nonce"),
            (35 + 64 + 11, "GCM nonce"),
            (35 + 64 + 12, "GCM tag"),
            (35 + 64 + 12 + 15, "GCM tag"),
        ];
        for (len, field) in cases {
            match Body::parse(&full[..len]) {
                Err(MixinError::Truncated { field: f, .. }) => assert_eq!(f, field, "len {len}"),
                other => panic!("len {len}: {other:?}"),
            }
        }
        // Cut inside a block: the count promises more than the body holds.
        assert!(matches!(
            Body::parse(&full[..35 + 63]),
            Err(MixinError::SessionCount { declared: 1, .. })
        ));
    }

    #[test]
    fn version_and_count_errors() {
        assert_eq!(Body::parse(&body(2, 1, 1, 0)), Err(MixinError::Version(2)));
        assert_eq!(Body::parse(&body(0, 1, 1, 0)), Err(MixinError::Version(0)));
        // 65535 sessions declared in a 111-byte body: refused before any allocation.
        let b = body(1, 0xffff, 1, 0);
        assert_eq!(b.len(), 127);
        assert!(matches!(
            Body::parse(&b[..111]),
            Err(MixinError::SessionCount {
                declared: 0xffff,
                needed: 4_194_240,
                available: 76
            })
        ));
    }

    #[test]
    fn body_codec_round_trips_upstream_bodies() {
        let upstream: serde_json::Value = serde_json::from_str(include_str!(
            "../../vectors/upstream/mixin-upstream-vectors.json"
        ))
        .unwrap();
        let mut n = 0;
        for v in upstream["vectors"].as_array().unwrap() {
            let Some(hex_body) = v["ciphertext_hex"].as_str() else {
                continue;
            };
            let bytes = hex::decode(hex_body).unwrap();
            let parts = BodyParts::read(&bytes).unwrap();
            assert_eq!(parts.to_bytes(), bytes, "{}", v["id"]);
            assert_eq!(BodyParts::read(&parts.to_bytes()).unwrap(), parts);
            n += 1;
        }
        assert!(n >= 1);
        let synthetic = body(1, 2, 2, 5);
        assert_eq!(BodyParts::read(&synthetic).unwrap().to_bytes(), synthetic);
    }

    #[test]
    fn dissection_continues_past_a_bad_version() {
        let bytes = body(7, 1, 1, 3);
        let d = dissect(&bytes);
        assert_eq!(
            d.problem.as_deref(),
            Some("unknown version 7: only version 1 is defined")
        );
        let names: Vec<_> = d.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "version",
                "session_count",
                "sender_key",
                "session[0].id",
                "session[0].iv",
                "session[0].wrapped_key",
                "nonce",
                "ciphertext",
                "tag"
            ]
        );
    }
}
