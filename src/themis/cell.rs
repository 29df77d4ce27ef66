//! Secure Cell "seal" as Secure Message embeds it: AES-256-GCM, Soter KDF, no context (spec §4.2-4.5).

use super::error::ThemisError;
use super::kdf;
use crate::wire::{Codec, Reader};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use std::ops::Range;

/// AES | GCM | 256-bit key, KDF bits 0 (Soter KDF), no reserved bits.
pub const ALG: u32 = 0x4001_0100;
/// GCM IV length Themis writes.
pub const IV_LEN: usize = 12;
/// GCM tag length Themis writes.
pub const TAG_LEN: usize = 16;
/// Length of the authentication token: alg, iv_len, tag_len, message_length, IV, tag.
pub const TOKEN_LEN: usize = 16 + IV_LEN + TAG_LEN;

/// A Secure Cell split into its fields; ranges are offsets in the whole input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellView<'a> {
    /// Algorithm id (always [`ALG`] once parsed).
    pub alg: u32,
    /// Plaintext length N from the token.
    pub message_length: u32,
    /// The IV.
    pub iv: [u8; IV_LEN],
    /// The GCM tag.
    pub tag: [u8; TAG_LEN],
    /// The ciphertext, N bytes.
    pub ciphertext: &'a [u8],
    /// Ranges of alg, iv_length, auth_tag_length, message_length, iv, tag, ciphertext.
    pub ranges: CellRanges,
}

/// Byte ranges of a Secure Cell's fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CellRanges {
    /// `alg`.
    pub alg: Range<usize>,
    /// `iv_length`.
    pub iv_length: Range<usize>,
    /// `auth_tag_length`.
    pub tag_length: Range<usize>,
    /// `message_length`.
    pub message_length: Range<usize>,
    /// IV.
    pub iv: Range<usize>,
    /// Tag.
    pub tag: Range<usize>,
    /// Ciphertext.
    pub ciphertext: Range<usize>,
}

/// A cell by its content, as Themis writes it: the algorithm, the IV and tag lengths and
/// the message length are derived when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The GCM IV.
    pub iv: [u8; IV_LEN],
    /// The GCM tag.
    pub tag: [u8; TAG_LEN],
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
}

impl Cell {
    /// The owned cell of a parsed view.
    pub fn from_view(view: &CellView<'_>) -> Self {
        Cell {
            iv: view.iv,
            tag: view.tag,
            ciphertext: view.ciphertext.to_vec(),
        }
    }
}

impl Codec for Cell {
    type Error = ThemisError;

    fn read(bytes: &[u8]) -> Result<Self, ThemisError> {
        let view = parse(&mut Reader::new(bytes), &mut CellRanges::default())?;
        Ok(Cell::from_view(&view))
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let n = u32::try_from(self.ciphertext.len()).unwrap_or(u32::MAX);
        for word in [ALG, 12, 16, n] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&self.iv);
        out.extend_from_slice(&self.tag);
        out.extend_from_slice(&self.ciphertext);
    }
}

/// AES-256-GCM under a given cell key, no associated data; any plaintext, the empty one
/// too. [`seal`] derives the key and refuses what Themis refuses; this is the writer under it.
pub fn seal_with_key(key: &[u8; 32], iv: &[u8; IV_LEN], plaintext: &[u8]) -> Cell {
    let cipher = Aes256Gcm::new(key.into());
    let mut ciphertext = plaintext.to_vec();
    // GCM fails only beyond 64 GiB, which no u32 message length allows.
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(iv), &[], &mut ciphertext)
        .map(|t| t.into())
        .unwrap_or([0; TAG_LEN]);
    Cell {
        iv: *iv,
        tag,
        ciphertext,
    }
}

/// Encrypts `plaintext` under `master` (an ECDH secret or the RSA path's 70 random bytes).
pub fn seal(master: &[u8], iv: &[u8; IV_LEN], plaintext: &[u8]) -> Result<Vec<u8>, ThemisError> {
    if plaintext.is_empty() {
        return Err(ThemisError::Empty);
    }
    let n = u32::try_from(plaintext.len()).map_err(|_| ThemisError::TooLong(plaintext.len()))?;
    Ok(seal_with_key(&kdf::cell_key(master, n), iv, plaintext).to_bytes())
}

/// Reads a cell strictly: the algorithm, IV and tag lengths must be the ones Themis writes,
/// and `message_length` must account for every byte after the token.
///
/// `r` must be positioned at the cell and hold exactly the cell (the rest of the message).
/// Partial results are reported through `seen` so a dissection can show what was read.
pub fn parse<'a>(r: &mut Reader<'a>, seen: &mut CellRanges) -> Result<CellView<'a>, ThemisError> {
    let cell_len = r.remaining();
    let truncated = |need: usize| ThemisError::Truncated {
        what: "the Secure Cell token",
        need: u64::try_from(need).unwrap_or(u64::MAX),
        have: cell_len,
    };
    let (alg, ra) = r.take_ranged(4).ok_or_else(|| truncated(16))?;
    seen.alg = ra;
    let (ivl, ri) = r.take_ranged(4).ok_or_else(|| truncated(16))?;
    seen.iv_length = ri;
    let (tgl, rt) = r.take_ranged(4).ok_or_else(|| truncated(16))?;
    seen.tag_length = rt;
    let (nl, rn) = r.take_ranged(4).ok_or_else(|| truncated(16))?;
    seen.message_length = rn;
    let le = |b: &[u8]| b.try_into().map(u32::from_le_bytes).unwrap_or(u32::MAX);
    let (alg, iv_len, tag_len, n) = (le(alg), le(ivl), le(tgl), le(nl));
    if alg != ALG {
        return Err(ThemisError::Algorithm(alg));
    }
    if iv_len != 12 {
        return Err(ThemisError::CellParameter {
            what: "iv_length",
            found: iv_len,
            expected: 12,
        });
    }
    if tag_len != 16 {
        return Err(ThemisError::CellParameter {
            what: "auth_tag_length",
            found: tag_len,
            expected: 16,
        });
    }
    let (iv, riv) = r.take_ranged(IV_LEN).ok_or_else(|| truncated(TOKEN_LEN))?;
    seen.iv = riv;
    let (tag, rtag) = r.take_ranged(TAG_LEN).ok_or_else(|| truncated(TOKEN_LEN))?;
    seen.tag = rtag;
    let rest = r.remaining();
    if u64::from(n) != u64::try_from(rest).unwrap_or(u64::MAX) {
        return Err(ThemisError::LengthMismatch {
            what: "the Secure Cell message_length",
            declared: u64::from(n),
            actual: u64::try_from(rest).unwrap_or(u64::MAX),
        });
    }
    let (ciphertext, rc) = r.take_ranged(rest).ok_or_else(|| truncated(TOKEN_LEN))?;
    seen.ciphertext = rc;
    if n == 0 {
        return Err(ThemisError::Empty);
    }
    Ok(CellView {
        alg,
        message_length: n,
        iv: iv.try_into().map_err(|_| truncated(TOKEN_LEN))?,
        tag: tag.try_into().map_err(|_| truncated(TOKEN_LEN))?,
        ciphertext,
        ranges: seen.clone(),
    })
}

/// Decrypts a parsed cell; any GCM failure (wrong key, edited IV, tag or data) is
/// [`ThemisError::Authentication`].
pub fn open(master: &[u8], cell: &CellView<'_>) -> Result<Vec<u8>, ThemisError> {
    let key = kdf::cell_key(master, cell.message_length);
    let cipher = Aes256Gcm::new(&key.into());
    let mut body = cell.ciphertext.to_vec();
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&cell.iv),
            &[],
            &mut body,
            Tag::from_slice(&cell.tag),
        )
        .map_err(|_| ThemisError::Authentication)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Stage;

    fn parse_all(cell: &[u8]) -> Result<CellView<'_>, ThemisError> {
        parse(&mut Reader::new(cell), &mut CellRanges::default())
    }

    #[test]
    fn seal_open_round_trip_and_layout() {
        let cell = seal(b"master", &[9; 12], b"hello").unwrap();
        assert_eq!(cell.len(), TOKEN_LEN + 5);
        assert_eq!(
            &cell[..16],
            &hex::decode("000101400c0000001000000005000000").unwrap()[..]
        );
        assert_eq!(&cell[16..28], &[9; 12]);
        let view = parse_all(&cell).unwrap();
        assert_eq!(open(b"master", &view).unwrap(), b"hello");
        assert_eq!(open(b"other", &view), Err(ThemisError::Authentication));
    }

    #[test]
    fn cell_codec_round_trips() {
        let bytes = seal(b"master", &[4; 12], b"some text").unwrap();
        let cell = Cell::read(&bytes).unwrap();
        assert_eq!(cell.to_bytes(), bytes);
        assert_eq!(cell.iv, [4; 12]);
        let empty = seal_with_key(&[1; 32], &[2; 12], b"");
        assert_eq!(empty.to_bytes().len(), TOKEN_LEN);
        // A cell of nothing frames fine but is refused as empty.
        assert_eq!(Cell::read(&empty.to_bytes()), Err(ThemisError::Empty));
    }

    #[test]
    fn strict_rejections() {
        let cell = seal(b"k", &[1; 12], b"abc").unwrap();
        let edit = |off: usize, v: u32| {
            let mut c = cell.clone();
            c[off..off + 4].copy_from_slice(&v.to_le_bytes());
            c
        };
        let stage = |c: &[u8]| parse_all(c).unwrap_err().stage();
        assert_eq!(stage(&edit(0, 0x4001_0080)), Stage::Algorithm);
        assert_eq!(stage(&edit(0, 0x4101_0100)), Stage::Algorithm);
        assert_eq!(stage(&edit(4, 16)), Stage::Algorithm);
        assert_eq!(stage(&edit(8, 17)), Stage::Algorithm);
        assert_eq!(stage(&edit(12, 4)), Stage::Length);
        assert_eq!(stage(&edit(12, 2)), Stage::Length);
        assert_eq!(stage(&edit(12, u32::MAX)), Stage::Length);
        assert_eq!(stage(&cell[..15]), Stage::Length);
        assert_eq!(stage(&cell[..30]), Stage::Length);
        let mut junk = cell.clone();
        junk.splice(44..44, [0u8; 5]);
        assert_eq!(stage(&junk), Stage::Length);
        assert_eq!(stage(&edit(12, 0)[..44]), Stage::Empty);
        let mut bad = cell.clone();
        bad[30] ^= 1;
        assert_eq!(
            open(b"k", &parse_all(&bad).unwrap()),
            Err(ThemisError::Authentication)
        );
    }
}
