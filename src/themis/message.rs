//! Typed views of signed and encrypted Secure Messages with byte ranges (spec §2, §3.1, §4.2, §5).

use super::cell::{self, Cell, CellRanges, CellView};
use super::der;
use super::error::ThemisError;
use crate::wire::{Codec, Dissection, FieldKind, Measures, Reader};
use std::ops::Range;

/// `THEMIS_SECURE_MESSAGE_EC_SIGNED`.
pub const EC_SIGNED: u32 = 0x2604_2620;
/// `THEMIS_SECURE_MESSAGE_RSA_SIGNED`.
pub const RSA_SIGNED: u32 = 0x2604_2610;
/// `THEMIS_SECURE_MESSAGE_EC_ENCRYPTED`.
pub const EC_ENCRYPTED: u32 = 0x2604_2720;
/// `THEMIS_SECURE_MESSAGE_RSA_ENCRYPTED`.
pub const RSA_ENCRYPTED: u32 = 0x2604_2710;

/// Length of the signed header: type, message_length, signature_length.
pub const SIGNED_HEADER_LEN: usize = 12;
/// Length of the encrypted header: type, total_length.
pub const ENCRYPTED_HEADER_LEN: usize = 8;
/// Largest DER ECDSA signature of any supported curve (P-521); bounds legacy padding
/// before the key is known.
const MAX_EC_SIGNATURE: usize = 141;

/// The four message types, exactly as Themis writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    /// ECDSA-signed.
    EcSigned,
    /// RSA-PSS-signed.
    RsaSigned,
    /// ECDH + Secure Cell.
    EcEncrypted,
    /// RSA-OAEP-wrapped secret + Secure Cell.
    RsaEncrypted,
}

impl MessageType {
    /// The type for an exact wire value; Themis's lenient low-byte matching is not followed.
    pub fn from_u32(v: u32) -> Option<Self> {
        match v {
            EC_SIGNED => Some(MessageType::EcSigned),
            RSA_SIGNED => Some(MessageType::RsaSigned),
            EC_ENCRYPTED => Some(MessageType::EcEncrypted),
            RSA_ENCRYPTED => Some(MessageType::RsaEncrypted),
            _ => None,
        }
    }

    /// The wire value.
    pub fn value(self) -> u32 {
        match self {
            MessageType::EcSigned => EC_SIGNED,
            MessageType::RsaSigned => RSA_SIGNED,
            MessageType::EcEncrypted => EC_ENCRYPTED,
            MessageType::RsaEncrypted => RSA_ENCRYPTED,
        }
    }

    /// Whether the type names EC keys.
    pub fn is_ec(self) -> bool {
        matches!(self, MessageType::EcSigned | MessageType::EcEncrypted)
    }

    /// Whether the type is a signed message.
    pub fn is_signed(self) -> bool {
        matches!(self, MessageType::EcSigned | MessageType::RsaSigned)
    }

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::EcSigned => "EC signed",
            MessageType::RsaSigned => "RSA signed",
            MessageType::EcEncrypted => "EC encrypted",
            MessageType::RsaEncrypted => "RSA encrypted",
        }
    }
}

/// A signed message, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedView<'a> {
    /// EC or RSA.
    pub message_type: MessageType,
    /// The signed plaintext.
    pub plaintext: &'a [u8],
    /// The signature as declared by `signature_length`.
    pub signature: &'a [u8],
    /// Bytes after the signature within the largest signature size (legacy padding).
    pub padding: &'a [u8],
    /// Where the plaintext lies.
    pub plaintext_range: Range<usize>,
    /// Where the signature lies.
    pub signature_range: Range<usize>,
}

/// An encrypted message, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedView<'a> {
    /// EC or RSA.
    pub message_type: MessageType,
    /// The RSA-OAEP ciphertext of the secret (RSA only).
    pub wrapped_key: Option<&'a [u8]>,
    /// The Secure Cell.
    pub cell: CellView<'a>,
}

/// Reads the message type, checking it is one of `allowed`; else a `header` error.
pub fn read_type(
    bytes: &[u8],
    allowed: &[MessageType],
    expected: &'static str,
    d: &mut Dissection,
) -> Result<MessageType, ThemisError> {
    if bytes.is_empty() {
        return Err(ThemisError::Empty);
    }
    let mut r = Reader::new(bytes);
    let (raw, range) = r.take_ranged(4).ok_or(ThemisError::Truncated {
        what: "the message type",
        need: 4,
        have: bytes.len(),
    })?;
    let found = raw.try_into().map(u32::from_le_bytes).unwrap_or(0);
    let ty = MessageType::from_u32(found);
    d.field_as(
        "message_type",
        range,
        ty.map_or_else(
            || format!("unknown {found:#010x}"),
            |t| t.name().to_string(),
        ),
        FieldKind::uint_le(4),
    );
    match ty {
        Some(t) if allowed.contains(&t) => Ok(t),
        _ => Err(ThemisError::MessageType { found, expected }),
    }
}

/// Reads a little-endian u32 length field counting `of`.
fn u32_field(
    r: &mut Reader<'_>,
    name: &'static str,
    of: Measures,
    total: usize,
    need: usize,
    d: &mut Dissection,
) -> Result<u32, ThemisError> {
    let (raw, range) = r.take_ranged(4).ok_or(ThemisError::Truncated {
        what: name,
        need: u64::try_from(need).unwrap_or(u64::MAX),
        have: total,
    })?;
    let v = raw.try_into().map(u32::from_le_bytes).unwrap_or(0);
    let kind = FieldKind::Length {
        width: 4,
        big_endian: false,
        of,
    };
    d.field_as(name, range, v.to_string(), kind);
    Ok(v)
}

fn of(name: &str) -> Measures {
    Measures::Field(name.to_string())
}

/// Splits a signed message of a known type (see [`read_type`]).
///
/// Trailing bytes after the signature are accepted only as the legacy padding old wrappers
/// left (spec §3.3): they returned the whole buffer sized for the largest possible signature,
/// so the signature plus the trailing bytes may not exceed that size. The bytes themselves
/// are whatever was in the buffer (the upstream C test vector ends in `90 fe`), so their
/// values are not checked.
/// `max_signature` is that largest size for the verifying key; the caller that has no key
/// passes `None` and gets the bound of the largest curve.
pub fn parse_signed<'a>(
    bytes: &'a [u8],
    message_type: MessageType,
    max_signature: Option<usize>,
    d: &mut Dissection,
) -> Result<SignedView<'a>, ThemisError> {
    let total = bytes.len();
    let mut r = Reader::new(bytes);
    r.take(4).ok_or(ThemisError::Truncated {
        what: "the message type",
        need: 4,
        have: total,
    })?;
    let m = u32_field(
        &mut r,
        "message_length",
        of("plaintext"),
        total,
        SIGNED_HEADER_LEN,
        d,
    )?;
    let s = u32_field(
        &mut r,
        "signature_length",
        of("signature"),
        total,
        SIGNED_HEADER_LEN,
        d,
    )?;
    let need = 12u64 + u64::from(m) + u64::from(s);
    let have = u64::try_from(total).unwrap_or(u64::MAX);
    if need > have {
        return Err(ThemisError::LengthMismatch {
            what: "12 + message_length + signature_length",
            declared: need,
            actual: have,
        });
    }
    // Both fit in the input now, so the conversions cannot fail.
    let m = usize::try_from(m).unwrap_or(usize::MAX);
    let s = usize::try_from(s).unwrap_or(usize::MAX);
    let (plaintext, plaintext_range) = r.take_ranged(m).ok_or(ThemisError::Truncated {
        what: "the plaintext",
        need,
        have: total,
    })?;
    d.field(
        "plaintext",
        plaintext_range.clone(),
        format!("{m} bytes, not encrypted"),
    );
    let (signature, signature_range) = r.take_ranged(s).ok_or(ThemisError::Truncated {
        what: "the signature",
        need,
        have: total,
    })?;
    d.field(
        "signature",
        signature_range.clone(),
        if message_type.is_ec() {
            "DER ECDSA-SHA256"
        } else {
            "RSA-PSS-SHA256"
        },
    );
    if message_type.is_ec() {
        der::dissect_parts(signature, signature_range.start, d);
    }
    let padding_range = r.pos()..total;
    let padding = r.take_rest();
    if !padding.is_empty() {
        d.field(
            "padding",
            padding_range,
            "after the declared signature (legacy buffer tail)",
        );
    }
    if m == 0 {
        return Err(ThemisError::Empty);
    }
    if !padding.is_empty() {
        // RSA signatures are exactly the modulus size, so RSA messages never had padding.
        let max = match (message_type.is_ec(), max_signature) {
            (true, Some(max)) => max,
            (true, None) => MAX_EC_SIGNATURE,
            (false, _) => 0,
        };
        if s.checked_add(padding.len()).is_none_or(|sum| sum > max) {
            return Err(ThemisError::TrailingBytes {
                count: padding.len(),
                reason: "together with the signature exceed the largest signature of the key",
            });
        }
    }
    if s == 0 {
        return Err(ThemisError::SignatureEncoding("the signature is empty"));
    }
    Ok(SignedView {
        message_type,
        plaintext,
        signature,
        padding,
        plaintext_range,
        signature_range,
    })
}

/// Splits an encrypted message of a known type (see [`read_type`]), strictly: the total
/// length must be the input length and the cell must be exactly what Themis writes.
///
/// `wrapped_len` is the recipient's RSA modulus length when known: `encrypted_key_length` must
/// equal it, and is checked before the cell that follows is read.
pub fn parse_encrypted<'a>(
    bytes: &'a [u8],
    message_type: MessageType,
    wrapped_len: Option<usize>,
    d: &mut Dissection,
) -> Result<EncryptedView<'a>, ThemisError> {
    let total = bytes.len();
    let mut r = Reader::new(bytes);
    r.take(4).ok_or(ThemisError::Truncated {
        what: "the message type",
        need: 4,
        have: total,
    })?;
    let declared = u32_field(
        &mut r,
        "total_length",
        Measures::Input,
        total,
        ENCRYPTED_HEADER_LEN,
        d,
    )?;
    if u64::from(declared) != u64::try_from(total).unwrap_or(u64::MAX) {
        return Err(ThemisError::LengthMismatch {
            what: "the Secure Message total_length",
            declared: u64::from(declared),
            actual: u64::try_from(total).unwrap_or(u64::MAX),
        });
    }
    let wrapped_key = if message_type == MessageType::RsaEncrypted {
        let k = u32_field(
            &mut r,
            "encrypted_key_length",
            of("wrapped_key"),
            total,
            12,
            d,
        )?;
        let k = usize::try_from(k).unwrap_or(usize::MAX);
        if let Some(expected) = wrapped_len.filter(|&e| e != k) {
            return Err(ThemisError::LengthMismatch {
                what: "encrypted_key_length (against the recipient's modulus)",
                declared: u64::try_from(k).unwrap_or(u64::MAX),
                actual: u64::try_from(expected).unwrap_or(u64::MAX),
            });
        }
        let (wrapped, range) = r.take_ranged(k).ok_or(ThemisError::LengthMismatch {
            what: "encrypted_key_length",
            declared: u64::try_from(k).unwrap_or(u64::MAX),
            actual: u64::try_from(r.remaining()).unwrap_or(u64::MAX),
        })?;
        d.field(
            "wrapped_key",
            range,
            "RSA-OAEP(SHA-1) of the 70-byte secret",
        );
        Some(wrapped)
    } else {
        None
    };
    let mut seen = CellRanges::default();
    let result = cell::parse(&mut r, &mut seen);
    record_cell(&seen, d);
    Ok(EncryptedView {
        message_type,
        wrapped_key,
        cell: result?,
    })
}

fn record_cell(seen: &CellRanges, d: &mut Dissection) {
    let len = |name: &str| FieldKind::u32_le_length_of(name);
    let fields: [(&str, &Range<usize>, &str, FieldKind); 7] = [
        (
            "cell.alg",
            &seen.alg,
            "0x40010100 = AES-256-GCM, Soter KDF",
            FieldKind::uint_le(4),
        ),
        ("cell.iv_length", &seen.iv_length, "", len("cell.iv")),
        (
            "cell.auth_tag_length",
            &seen.tag_length,
            "",
            len("cell.auth_tag"),
        ),
        (
            "cell.message_length",
            &seen.message_length,
            "",
            len("cell.ciphertext"),
        ),
        ("cell.iv", &seen.iv, "", FieldKind::Bytes),
        ("cell.auth_tag", &seen.tag, "", FieldKind::Bytes),
        ("cell.ciphertext", &seen.ciphertext, "", FieldKind::Bytes),
    ];
    for (name, range, note, kind) in fields {
        if !range.is_empty() {
            d.field_as(name, range.clone(), note, kind);
        }
    }
}

/// A signed message by its content; the two lengths are derived when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMessage {
    /// The type word as written (Themis writes [`EC_SIGNED`] or [`RSA_SIGNED`]).
    pub message_type: u32,
    /// The signed plaintext.
    pub plaintext: Vec<u8>,
    /// The signature: DER ECDSA or RSA-PSS.
    pub signature: Vec<u8>,
    /// Bytes after the declared signature (the legacy buffer tail); Themis writes none.
    pub padding: Vec<u8>,
}

/// A u32 length for the wire; past 4 GiB it saturates (the reference refuses such inputs
/// before writing).
fn len32(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes()
}

impl Codec for SignedMessage {
    type Error = ThemisError;

    /// Reads a signed message of an exact signed type, with the loosest legacy-tail bound
    /// (no key is known here).
    fn read(bytes: &[u8]) -> Result<Self, ThemisError> {
        let mut d = Dissection::default();
        let signed = [MessageType::EcSigned, MessageType::RsaSigned];
        let ty = read_type(bytes, &signed, "a signed message type", &mut d)?;
        let view = parse_signed(bytes, ty, None, &mut d)?;
        Ok(SignedMessage {
            message_type: ty.value(),
            plaintext: view.plaintext.to_vec(),
            signature: view.signature.to_vec(),
            padding: view.padding.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.message_type.to_le_bytes());
        out.extend_from_slice(&len32(self.plaintext.len()));
        out.extend_from_slice(&len32(self.signature.len()));
        out.extend_from_slice(&self.plaintext);
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.padding);
    }
}

/// An encrypted message by its content; the total length and the wrapped key's length are
/// derived when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedMessage {
    /// The type word as written (Themis writes [`EC_ENCRYPTED`] or [`RSA_ENCRYPTED`]).
    pub message_type: u32,
    /// RSA only: the OAEP ciphertext of the cell's master key.
    pub wrapped_key: Option<Vec<u8>>,
    /// The Secure Cell.
    pub cell: Cell,
}

impl Codec for EncryptedMessage {
    type Error = ThemisError;

    fn read(bytes: &[u8]) -> Result<Self, ThemisError> {
        let mut d = Dissection::default();
        let encrypted = [MessageType::EcEncrypted, MessageType::RsaEncrypted];
        let ty = read_type(bytes, &encrypted, "an encrypted message type", &mut d)?;
        let view = parse_encrypted(bytes, ty, None, &mut d)?;
        Ok(EncryptedMessage {
            message_type: ty.value(),
            wrapped_key: view.wrapped_key.map(<[u8]>::to_vec),
            cell: Cell::from_view(&view.cell),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let cell = self.cell.to_bytes();
        let wrapped = self.wrapped_key.as_deref();
        let total = ENCRYPTED_HEADER_LEN + wrapped.map_or(0, |w| 4 + w.len()) + cell.len();
        out.extend_from_slice(&self.message_type.to_le_bytes());
        out.extend_from_slice(&len32(total));
        if let Some(w) = wrapped {
            out.extend_from_slice(&len32(w.len()));
            out.extend_from_slice(w);
        }
        out.extend_from_slice(&cell);
    }
}
