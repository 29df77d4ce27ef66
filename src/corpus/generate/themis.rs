//! Generated Themis vectors (docs/VECTORS.md, "Themis catalogue").
//!
//! One file per op. Keys are drawn from the seed (P-256 via the reference, P-384/P-521
//! containers built here) or taken from the upstream pythemis fixtures (RSA, to avoid slow
//! key generation). Every expected result comes from the reference; invalid and acceptable
//! vectors state the policy's stage and fail to build if the reference disagrees.

use super::gen::{note, FileSpec, Gen, Generated};
use crate::corpus::{Check, Note, Vector};
use crate::wire::Stage;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use hmac::{Hmac, Mac};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The generated Themis files.
pub fn files() -> Vec<FileSpec> {
    vec![
        FileSpec {
            path: "vectors/themis/key.check.json",
            op: "themis.key.check",
            default_seed: 2,
            build: key_check,
        },
        FileSpec {
            path: "vectors/themis/sign.json",
            op: "themis.sign",
            default_seed: 3,
            build: sign_file,
        },
        FileSpec {
            path: "vectors/themis/verify.json",
            op: "themis.verify",
            default_seed: 4,
            build: verify_file,
        },
        FileSpec {
            path: "vectors/themis/encrypt.json",
            op: "themis.encrypt",
            default_seed: 5,
            build: encrypt_file,
        },
        FileSpec {
            path: "vectors/themis/decrypt.json",
            op: "themis.decrypt",
            default_seed: 6,
            build: decrypt_file,
        },
    ]
}

// ---------------------------------------------------------------------------------------
// Constants and byte helpers
// ---------------------------------------------------------------------------------------

const EC_SIGNED: u32 = 0x2604_2620;
const RSA_SIGNED: u32 = 0x2604_2610;
const EC_ENCRYPTED: u32 = 0x2604_2720;
const RSA_ENCRYPTED: u32 = 0x2604_2710;
const CELL_ALG: u32 = 0x4001_0100;
const N_P256: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const P_P256: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
const N_P384: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
const N_P521: &str = "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409";
const KDF_LABEL: &[u8] = b"Themis secure cell message key";

static UPSTREAM: &str = include_str!("../../../vectors/upstream/themis-upstream-vectors.json");

fn h(b: &[u8]) -> String {
    hex::encode(b)
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_default()
}

fn get_u32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0)
}

fn set_u32(b: &mut [u8], off: usize, v: u32) {
    if let Some(s) = b.get_mut(off..off + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

fn with_u32(b: &[u8], off: usize, v: u32) -> Vec<u8> {
    let mut c = b.to_vec();
    set_u32(&mut c, off, v);
    c
}

fn flip(b: &[u8], off: usize, mask: u8) -> Vec<u8> {
    let mut c = b.to_vec();
    if let Some(x) = c.get_mut(off) {
        *x ^= mask;
    }
    c
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The four standard edits of a u32 field.
fn edits(v: u32) -> [(&'static str, u32); 4] {
    [
        ("plus-1", v.wrapping_add(1)),
        ("minus-1", v.wrapping_sub(1)),
        ("zero", 0),
        ("ffffffff", u32::MAX),
    ]
}

/// CRC-32 (IEEE 802.3, reflected 0xEDB88320): the wrong checksum some writers use.
fn crc32_ieee(data: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A Soter container: tag, BE size, CRC-32C stored little-endian, payload.
fn container(tag: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let size = u32::try_from(12 + payload.len()).unwrap_or(u32::MAX);
    let mut c = Vec::with_capacity(12 + payload.len());
    c.extend_from_slice(tag);
    c.extend_from_slice(&size.to_be_bytes());
    c.extend_from_slice(&[0; 4]);
    c.extend_from_slice(payload);
    refix_crc(&mut c);
    c
}

fn crc_of(c: &[u8]) -> u32 {
    let mut z = c.to_vec();
    if let Some(s) = z.get_mut(8..12) {
        s.fill(0);
    }
    crc32c::crc32c(&z)
}

fn refix_crc(c: &mut [u8]) {
    let crc = crc_of(c);
    if let Some(s) = c.get_mut(8..12) {
        s.copy_from_slice(&crc.to_le_bytes());
    }
}

/// Rebuilds a container around an edited payload (size and CRC right).
fn rebuild(c: &[u8], payload: &[u8]) -> Vec<u8> {
    let tag: [u8; 4] = c
        .get(..4)
        .and_then(|t| t.try_into().ok())
        .unwrap_or(*b"????");
    container(&tag, payload)
}

fn payload(c: &[u8]) -> &[u8] {
    c.get(12..).unwrap_or(&[])
}

fn retag(c: &[u8], tag: &[u8; 4]) -> Vec<u8> {
    container(tag, payload(c))
}

fn big(hexs: &str) -> BigUint {
    BigUint::from_bytes_be(&unhex(hexs))
}

fn be_pad(n: &BigUint, width: usize) -> Vec<u8> {
    let raw = n.to_bytes_be();
    let mut out = vec![0u8; width.saturating_sub(raw.len())];
    out.extend_from_slice(&raw);
    out
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

fn fixture(id: &str) -> Result<Vec<u8>, String> {
    let v: Value = serde_json::from_str(UPSTREAM).map_err(|e| format!("step 0: {e}"))?;
    v["key_fixtures"]
        .as_array()
        .and_then(|a| a.iter().find(|k| k["id"] == id))
        .and_then(|k| k["key"].as_str())
        .map(unhex)
        .ok_or_else(|| format!("no upstream key fixture {id}"))
}

#[derive(Clone)]
struct Pair {
    private: Vec<u8>,
    public: Vec<u8>,
}

impl Pair {
    fn pr(&self) -> String {
        h(&self.private)
    }
    fn pb(&self) -> String {
        h(&self.public)
    }
}

fn ec_pair(g: &mut Gen) -> Pair {
    let (private, public) = crate::themis::generate_ec_keypair(g.rng());
    Pair { private, public }
}

fn p384_pair(g: &mut Gen) -> Pair {
    use p384::elliptic_curve::sec1::ToEncodedPoint;
    let sk = p384::SecretKey::random(g.rng());
    let d = sk.to_bytes();
    let pt = sk.public_key().to_encoded_point(true);
    Pair {
        private: container(b"REC3", &cat(&[&[0], &d])),
        public: container(b"UEC3", pt.as_bytes()),
    }
}

fn p521_pair(g: &mut Gen) -> Pair {
    use p521::elliptic_curve::sec1::ToEncodedPoint;
    let sk = p521::SecretKey::random(g.rng());
    let d = sk.to_bytes();
    let pt = sk.public_key().to_encoded_point(true);
    Pair {
        private: container(b"REC5", &cat(&[&[0], &d])),
        public: container(b"UEC5", pt.as_bytes()),
    }
}

fn upstream_pair(private: &str, public: &str) -> Result<Pair, String> {
    Ok(Pair {
        private: fixture(private)?,
        public: fixture(public)?,
    })
}

/// The fixed keys of one file build.
struct Keys {
    a: Pair,
    b: Pair,
    c: Pair,
    p384: Pair,
    p384b: Pair,
    p521: Pair,
    p521b: Pair,
    rsa1: Pair,
    rsa1b: Pair,
    rsa2: Pair,
    rsa2b: Pair,
    rsa4: Pair,
}

fn keys(g: &mut Gen) -> Result<Keys, String> {
    Ok(Keys {
        a: ec_pair(g),
        b: ec_pair(g),
        c: ec_pair(g),
        p384: p384_pair(g),
        p384b: p384_pair(g),
        p521: p521_pair(g),
        p521b: p521_pair(g),
        rsa1: upstream_pair("pythemis_rsa1024_priv", "pythemis_rsa1024_pub")?,
        rsa1b: upstream_pair("objc_privateKeyRSA1024", "objc_publicKeyRSA1024")?,
        rsa2: upstream_pair("pythemis_rsa2048_priv", "pythemis_rsa2048_pub")?,
        rsa2b: upstream_pair("objc_privateKeyRSA2048", "objc_publicKeyRSA2048")?,
        rsa4: upstream_pair("pythemis_rsa4096_priv", "pythemis_rsa4096_pub")?,
    })
}

/// The scalar d of an EC private container (33-byte or 32-byte form).
fn ec_scalar(private: &[u8]) -> Vec<u8> {
    let p = payload(private);
    match p.len() {
        33 | 49 | 67 => p.get(1..).unwrap_or(&[]).to_vec(),
        _ => p.to_vec(),
    }
}

/// The uncompressed form of a P-256 public container.
fn p256_uncompressed(public: &[u8]) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    match p256::PublicKey::from_sec1_bytes(payload(public)) {
        Ok(pk) => container(b"UEC2", pk.to_encoded_point(false).as_bytes()),
        Err(_) => Vec::new(),
    }
}

fn p256_secret(private: &[u8]) -> Option<p256::SecretKey> {
    p256::SecretKey::from_slice(&ec_scalar(private)).ok()
}

/// RSA private key numbers from an `RRAx` container.
fn rsa_private(c: &[u8]) -> Option<RsaPrivateKey> {
    let p = payload(c);
    let k = match c.get(3)? {
        b'1' => 128,
        b'2' => 256,
        b'4' => 512,
        b'8' => 1024,
        _ => return None,
    };
    let hf = k / 2;
    let num = |at: usize, len: usize| p.get(at..at + len).map(BigUint::from_bytes_be);
    let d = num(0, k)?;
    let pp = num(k, hf)?;
    let q = num(k + hf, hf)?;
    let n = num(k + 5 * hf, k)?;
    let e = num(k + 5 * hf + k, 4)?;
    RsaPrivateKey::from_components(n, e, d, vec![pp, q]).ok()
}

fn rsa_public(c: &[u8]) -> Option<RsaPublicKey> {
    let p = payload(c);
    let k = p.len().checked_sub(4)?;
    RsaPublicKey::new_with_max_size(
        BigUint::from_bytes_be(p.get(..k)?),
        BigUint::from_bytes_be(p.get(k..)?),
        8192,
    )
    .ok()
}

/// Both containers of an RSA key (digit from the modulus size).
fn write_rsa(key: &RsaPrivateKey) -> Option<Pair> {
    let k = key.size();
    let digit = match k {
        128 => b'1',
        256 => b'2',
        512 => b'4',
        1024 => b'8',
        _ => return None,
    };
    let hf = k / 2;
    let [p, q] = key.primes() else { return None };
    let n = be_pad(key.n(), k);
    let e = be_pad(key.e(), 4);
    let mut private = be_pad(key.d(), k);
    for part in [p, q, key.dp()?, key.dq()?, &key.crt_coefficient()?] {
        private.extend_from_slice(&be_pad(part, hf));
    }
    private.extend_from_slice(&n);
    private.extend_from_slice(&e);
    Some(Pair {
        private: container(&[b'R', b'R', b'A', digit], &private),
        public: container(&[b'U', b'R', b'A', digit], &cat(&[&n, &e])),
    })
}

// ---------------------------------------------------------------------------------------
// Message building blocks
// ---------------------------------------------------------------------------------------

fn frame_signed(ty: u32, message: &[u8], signature: &[u8]) -> Vec<u8> {
    let m = u32::try_from(message.len()).unwrap_or(u32::MAX);
    let s = u32::try_from(signature.len()).unwrap_or(u32::MAX);
    cat(&[
        &ty.to_le_bytes(),
        &m.to_le_bytes(),
        &s.to_le_bytes(),
        message,
        signature,
    ])
}

/// (plaintext, signature) of a signed message as framed.
fn split_signed(signed: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let m = get_u32(signed, 4) as usize;
    let s = get_u32(signed, 8) as usize;
    let pt = signed.get(12..12 + m).unwrap_or(&[]).to_vec();
    let sig = signed.get(12 + m..12 + m + s).unwrap_or(&[]).to_vec();
    (pt, sig)
}

/// Parses DER `SEQUENCE { INTEGER r, INTEGER s }` (short or 0x81 lengths), r and s minimal.
fn der_rs(sig: &[u8]) -> Option<(BigUint, BigUint)> {
    if *sig.first()? != 0x30 {
        return None;
    }
    let mut i = if *sig.get(1)? == 0x81 { 3 } else { 2 };
    let mut ints = Vec::new();
    for _ in 0..2 {
        if *sig.get(i)? != 0x02 {
            return None;
        }
        let l = usize::from(*sig.get(i + 1)?);
        ints.push(BigUint::from_bytes_be(sig.get(i + 2..i + 2 + l)?));
        i += 2 + l;
    }
    let s = ints.pop()?;
    let r = ints.pop()?;
    Some((r, s))
}

fn der_len(n: usize) -> Vec<u8> {
    if n < 128 {
        vec![n as u8]
    } else {
        vec![0x81, n as u8]
    }
}

fn der_int(v: &[u8]) -> Vec<u8> {
    cat(&[&[0x02], &der_len(v.len()), v])
}

/// Minimal DER INTEGER content of a non-negative number.
fn int_bytes(n: &BigUint) -> Vec<u8> {
    let raw = n.to_bytes_be();
    let raw = if raw.is_empty() { vec![0] } else { raw };
    if raw[0] & 0x80 != 0 {
        cat(&[&[0], &raw])
    } else {
        raw
    }
}

fn der_seq(body: &[u8]) -> Vec<u8> {
    cat(&[&[0x30], &der_len(body.len()), body])
}

fn der_sig(r: &BigUint, s: &BigUint) -> Vec<u8> {
    der_seq(&cat(&[&der_int(&int_bytes(r)), &der_int(&int_bytes(s))]))
}

/// ECDSA-SHA256 over P-256 with RFC 6979 (any message, including the empty one).
fn p256_sign_der(private: &[u8], message: &[u8]) -> Vec<u8> {
    use p256::ecdsa::signature::Signer;
    let Ok(sk) = p256::ecdsa::SigningKey::from_slice(&ec_scalar(private)) else {
        return Vec::new();
    };
    let sig: p256::ecdsa::Signature = sk.sign(message);
    sig.to_der().as_bytes().to_vec()
}

/// RSA-PSS-SHA256 with an explicit salt length.
fn pss_sign(private: &[u8], message: &[u8], salt: usize, seed: u64) -> Result<Vec<u8>, String> {
    let key = rsa_private(private).ok_or("bad RSA private fixture")?;
    let digest = Sha256::digest(message);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    key.sign_with_rng(&mut rng, rsa::Pss::new_with_salt::<Sha256>(salt), &digest)
        .map_err(|e| format!("PSS salt {salt}: {e}"))
}

fn kdf_key(master: &[u8], context: &[u8]) -> [u8; 32] {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(master) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(&[0, 0, 0, 1]);
    mac.update(KDF_LABEL);
    mac.update(&[0]);
    mac.update(context);
    mac.finalize().into_bytes().into()
}

/// A Secure Cell seal token + ciphertext with any plaintext (empty too) and KDF context.
fn cell_with_context(master: &[u8], iv: &[u8; 12], pt: &[u8], context: &[u8]) -> Vec<u8> {
    let key = kdf_key(master, context);
    let cipher = aes_gcm::Aes256Gcm::new(&key.into());
    let mut body = pt.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(aes_gcm::Nonce::from_slice(iv), &[], &mut body)
        .map(|t| t.to_vec())
        .unwrap_or_default();
    let n = u32::try_from(pt.len()).unwrap_or(u32::MAX);
    cat(&[
        &CELL_ALG.to_le_bytes(),
        &12u32.to_le_bytes(),
        &16u32.to_le_bytes(),
        &n.to_le_bytes(),
        iv,
        &tag,
        &body,
    ])
}

fn cell(master: &[u8], iv: &[u8; 12], pt: &[u8]) -> Vec<u8> {
    let n = u32::try_from(pt.len()).unwrap_or(u32::MAX);
    cell_with_context(master, iv, pt, &n.to_le_bytes())
}

fn p256_ecdh(private: &[u8], public: &[u8]) -> Vec<u8> {
    let (Some(sk), Ok(pk)) = (
        p256_secret(private),
        p256::PublicKey::from_sec1_bytes(payload(public)),
    ) else {
        return Vec::new();
    };
    p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine())
        .raw_secret_bytes()
        .to_vec()
}

fn ec_encrypted(cell: &[u8]) -> Vec<u8> {
    let total = u32::try_from(8 + cell.len()).unwrap_or(u32::MAX);
    cat(&[&EC_ENCRYPTED.to_le_bytes(), &total.to_le_bytes(), cell])
}

fn rsa_encrypted(wrapped: &[u8], cell: &[u8]) -> Vec<u8> {
    let total = u32::try_from(12 + wrapped.len() + cell.len()).unwrap_or(u32::MAX);
    let k = u32::try_from(wrapped.len()).unwrap_or(u32::MAX);
    cat(&[
        &RSA_ENCRYPTED.to_le_bytes(),
        &total.to_le_bytes(),
        &k.to_le_bytes(),
        wrapped,
        cell,
    ])
}

/// Fixes the total length word of an encrypted message.
fn fix_total(m: &[u8]) -> Vec<u8> {
    with_u32(m, 4, u32::try_from(m.len()).unwrap_or(u32::MAX))
}

fn insert(b: &[u8], at: usize, what: &[u8]) -> Vec<u8> {
    let at = at.min(b.len());
    cat(&[&b[..at], what, &b[at..]])
}

// ---------------------------------------------------------------------------------------
// Vector collection
// ---------------------------------------------------------------------------------------

struct B<'a> {
    g: &'a mut Gen,
    op: &'static str,
    tests: Vec<Vector>,
}

impl B<'_> {
    fn id(&self, id: &str) -> String {
        format!("{}/{id}", self.op)
    }
    fn valid(
        &mut self,
        id: &str,
        comment: &str,
        flags: &[&str],
        args: Value,
    ) -> Result<(), String> {
        let v = self.g.valid(self.op, self.id(id), comment, flags, args)?;
        self.tests.push(v);
        Ok(())
    }
    fn checked(
        &mut self,
        id: &str,
        comment: &str,
        flags: &[&str],
        args: Value,
        check: Check,
    ) -> Result<(), String> {
        let v = self
            .g
            .valid_checked(self.op, self.id(id), comment, flags, args, check)?;
        self.tests.push(v);
        Ok(())
    }
    fn bad(
        &mut self,
        id: &str,
        comment: &str,
        flags: &[&str],
        args: Value,
        stage: Stage,
    ) -> Result<(), String> {
        // Themis's own key check is structural (tag, size, CRC, length); a key whose numbers
        // are wrong is refused only when an operation imports it. For key.check that is a
        // leniency, not a bug: the vector is acceptable.
        let deferred = self.op == "themis.key.check"
            && flags
                .iter()
                .any(|f| *f == "KeyCheckDeferred" || *f == "RsaCrtUnchecked");
        let v = if deferred {
            self.g
                .acceptable(self.op, self.id(id), comment, flags, args, stage)?
        } else {
            self.g
                .invalid(self.op, self.id(id), comment, flags, args, stage)?
        };
        self.tests.push(v);
        Ok(())
    }
    fn lenient(
        &mut self,
        id: &str,
        comment: &str,
        flags: &[&str],
        args: Value,
        stage: Stage,
    ) -> Result<(), String> {
        let v = self
            .g
            .acceptable(self.op, self.id(id), comment, flags, args, stage)?;
        self.tests.push(v);
        Ok(())
    }
    fn done(self, description: &str) -> Generated {
        Generated {
            description: description.into(),
            notes: notes(),
            tests: self.tests,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------

const SPEC: &str = "shared/specs/themis-secure-message.md";
const POLICY: &str = "docs/themis-secure-message.md §8";

fn notes() -> BTreeMap<String, Note> {
    let w = "wasm-themis 0.15.0";
    let c = "Themis C core 0.15 (source)";
    let mut m = BTreeMap::new();
    let mut add = |name: &str, n: Note| {
        m.insert(name.to_string(), n);
    };
    add("PeerObserved", note("Malformed", "The case was run on wasm-themis 0.15.0; the comment names the observation id of the spec's §10/§10.1 tables.", &[(w, "as recorded in the spec table under the id in the comment")], &[SPEC]));
    add("SignedTypeLowByte", note("Leniency", "A signed message whose type has a low byte other than 0x20 (EC) / 0x10 (RSA). Themis checks only the upper 24 bits of a signed type (and rejects only the other family's exact value), so it verifies such messages; our policy rejects the unknown type at `header`.", &[(w, "accepts, returns the plaintext"), (c, "IS_THEMIS_SECURE_MESSAGE_SIGNED masks the low byte")], &[SPEC, POLICY]));
    add("TrailingBytesAfterSignature", note("Leniency", "Bytes after the declared signature beyond the legacy allowance (signature + tail ≤ the key's largest signature), or any tail on an RSA message. Themis ignores any trailing bytes; our policy rejects at `length`.", &[(w, "accepts, ignores the extra bytes"), (c, "checks only len ≥ 12 + m + s")], &[SPEC, POLICY]));
    add("LegacySignaturePadding", note("EdgeCase", "A signed message as old wrappers (GoThemis/JavaThemis/ThemisPP < 0.13) returned it: the whole buffer sized for the largest signature, so a few bytes (any values) follow the signature. Valid: signature + tail ≤ largest signature of the key.", &[(w, "accepts"), ("GoThemis 0.13.0", "wrote such messages")], &[SPEC, POLICY]));
    add("CellJunkAfterTag", note("Leniency", "Bytes inserted between the Secure Cell tag and the ciphertext, with the Secure Message total length fixed. Themis infers the token length as the cell length minus N and ignores the excess; our policy requires N to account for every byte (`length`).", &[(w, "accepts, decrypts (ed_junk_after_tag)")], &[SPEC, POLICY]));
    add("CellLongerIv", note("Leniency", "iv_length > 12 with the extra bytes present after the 12-byte IV. Themis checks iv_length ≥ 12 and uses the first 12 bytes; our policy rejects any iv_length but 12 at `algorithm`.", &[(w, "accepts, decrypts (ed_ivlen16_with_junk)")], &[SPEC, POLICY]));
    add("CellLongerTag", note("Leniency", "auth_tag_length > 16 with the extra bytes present after the 16-byte tag. Themis checks ≥ 16 and uses the first 16 bytes; our policy rejects at `algorithm`.", &[(w, "accepts, decrypts (ed_taglen20_with_junk)")], &[SPEC, POLICY]));
    add("HighS", note("EdgeCase", "An ECDSA signature with s > n/2, or its n − s twin. Themis does not normalise s and verifies both; a verifier enforcing low-S rejects about half of genuine Themis messages.", &[(w, "accepts both (sv_sig_s_negated)")], &[SPEC]));
    add("NonDerSignature", note("Malformed", "An ECDSA signature that is not strict DER SEQUENCE{INTEGER r, INTEGER s}: raw r||s, BER lengths, non-minimal or negative integers, wrong tags, trailing data, r or s out of range.", &[(w, "FAIL (raw r||s observed: sv_sig_raw_rs; BoringSSL parses strict DER)")], &[SPEC]));
    add("PssSaltLength", note("EdgeCase", "An RSA-PSS signature with a salt length other than the maximum Themis uses. Themis verifies with salt length -2 (auto-detect), so any salt verifies.", &[(w, "accepts (32-byte salt observed)")], &[SPEC]));
    add("EmptyMessage", note("EdgeCase", "An empty plaintext: sign/encrypt refuse it before looking at the keys, and crafted, cryptographically valid messages with message length 0 are refused too (`empty`).", &[(w, "12 'message must be not empty' for API calls; FAIL for crafted m = 0 / N = 0")], &[SPEC, POLICY]));
    add("KeyCheckDeferred", note("Malformed", "A key whose container framing is fine but whose numbers are not (scalar outside [1, n), point not on the curve or badly encoded, RSA exponent not 3/65537). themis_is_valid_asym_key says SUCCESS; the key is refused only when imported for an operation (INVALID_PARAMETER). Our key.check rejects it at `key`.", &[(w, "is_valid: SUCCESS; Secure Message: INVALID_PARAMETER")], &[SPEC]));
    add("KeyChecksum", note("Malformed", "A key container whose CRC-32C is wrong (including CRC-32/IEEE, a big-endian stored CRC, or data edited without updating it).", &[(w, "is_valid: DATA_CORRUPT (15) 'Themis: KeyPair: invalid key'")], &[SPEC]));
    add("RsaCrtUnchecked", note("Malformed", "An RSA private key whose numbers are inconsistent (n ≠ p·q, wrong d, dp, dq or qp). Themis never checks the CRT values; such a key signs or decrypts wrongly. Our key.check rejects it at `key`.", &[(c, "imports the numbers as they are; not checked")], &[POLICY]));
    add("RsaAnonymous", note("EdgeCase", "RSA-encrypted messages ignore the sender's key: encryption validates but does not use the sender's private key, decryption ignores the public key argument (any valid RSA public key).", &[(w, "decrypts with an unrelated public key")], &[SPEC]));
    add("StaticEcdh", note("EdgeCase", "EC encryption is static-static ECDH; the sender can decrypt its own message with (sender private, recipient public).", &[(w, "decrypts (ed_ok_sender_side)")], &[SPEC]));
    add("OtherCurves", note("EdgeCase", "P-384 / P-521 keys (REC3/UEC3, REC5/UEC5). Themis never generates them but accepts them everywhere; ECDSA still uses SHA-256, the ECDH secret is 48/66 bytes.", &[(w, "sign/verify and encrypt/decrypt work")], &[SPEC]));
    add("CompressedParity", note("EdgeCase", "A compressed public key with the other parity prefix (02 ↔ 03) is the negated point: a valid key, just not the same one.", &[], &[SPEC]));
    add("Scalar32Bytes", note("EdgeCase", "An EC private key with the scalar stored without the leading zero byte (32-byte payload, e.g. upstream tests/_integration/keys/client.priv).", &[(w, "accepts (sign_key_32byte_scalar)")], &[SPEC]));
    add(
        "UncompressedPublicKey",
        note(
            "EdgeCase",
            "An EC public key with an uncompressed (04) point.",
            &[(w, "accepts")],
            &[SPEC],
        ),
    );
    add("RsaSecretLength", note("Leniency", "An RSA-encrypted message whose OAEP payload is not the 70-byte secret Themis always wraps, with the Secure Cell keyed by that payload. Our policy rejects at `authentication`. Themis's RSA decrypter (secure_message_wrapper.c, themis_secure_message_rsa_decrypter_proceed) OAEP-decrypts into a 1024-byte buffer and uses whatever length comes out as the Secure Cell master key, so such messages most likely decrypt there (source reading; not run on the peer).", &[(c, "uses the OAEP payload of any length as the master key (source reading, unverified)")], &[SPEC, POLICY]));
    add("Compat096Kdf", note("Malformed", "A cell whose key was derived with the Themis 0.9.6 compatibility KDF (64-bit length context). Compiled out of current Themis.", &[(w, "FAIL")], &[SPEC]));
    add(
        "RsaExponent",
        note(
            "EdgeCase",
            "RSA public exponents: Themis imports only e = 3 and e = 65537.",
            &[(c, "soter_rsa_key.c pub_exp switch")],
            &[SPEC],
        ),
    );
    add("SignatureBoundaryShift", note("Malformed", "A header edit that moves the plaintext/signature boundary while staying inside the legacy-tail allowance: the framing is accepted and the signature fails.", &[(w, "FAIL (sv_mlen_minus1, sv_slen_minus1, sv_slen_zero)")], &[SPEC, POLICY]));
    add(
        "MixedCurves",
        note(
            "Malformed",
            "Keys on different curves given together.",
            &[(w, "INVALID_PARAMETER")],
            &[SPEC],
        ),
    );
    add(
        "Large",
        note(
            "EdgeCase",
            "A 70000-byte message (larger than 64 KiB).",
            &[(w, "round-trips up to 16 MiB")],
            &[SPEC],
        ),
    );
    add("EmptyBeforeKey", note("EdgeCase", "An empty message together with a wrong or broken key. Our policy (like the C core, secure_message.c) refuses the empty message first (`empty`); wasm-themis validates keys in the SecureSign / SecureMessage constructor, so it reports the key problem instead (`key` / `key_kind`), a stage mismatch only.", &[(w, "key error from the constructor, before the empty check"), (c, "INVALID_PARAMETER for the empty message first")], &[SPEC, POLICY]));
    add("SyntheticModulus", note("EdgeCase", "A public key whose modulus is a random odd number filling its field: well-formed, and indistinguishable from a real key without the private part (no implementation tests primality on import).", &[], &[POLICY]));
    m
}

// ---------------------------------------------------------------------------------------
// themis.key.check
// ---------------------------------------------------------------------------------------

fn kc(key: &[u8]) -> Value {
    json!({ "key": h(key) })
}

/// Finds, by asking the reference, the first small x whose compressed P-256 point is (or is
/// not) on the curve.
fn small_x_point(on_curve: bool) -> Vec<u8> {
    for x in 1u8..=255 {
        let mut pt = vec![0x02];
        pt.extend_from_slice(&[0; 31]);
        pt.push(x);
        let c = container(b"UEC2", &pt);
        let ok = crate::themis::key_check(&c).is_ok();
        if ok == on_curve {
            return c;
        }
    }
    Vec::new()
}

fn key_check(g: &mut Gen) -> Result<Generated, String> {
    let k = keys(g)?;
    let rsa_e3 = {
        let key = RsaPrivateKey::new_with_exp(g.rng(), 1024, &BigUint::from(3u32))
            .map_err(|e| format!("step 1: {e}"))?;
        write_rsa(&key).ok_or("RSA e=3 key")?
    };
    let mut b = B {
        g,
        op: "themis.key.check",
        tests: Vec::new(),
    };
    let key = Stage::Key;
    let (ecp, ecq) = (k.a.private.clone(), k.a.public.clone());
    let d = ec_scalar(&ecp);

    // -- valid
    b.valid(
        "valid/ec-private-generated",
        "A P-256 private key as Themis generates it: REC2, 00 || d.",
        &[],
        kc(&ecp),
    )?;
    b.valid(
        "valid/ec-public-generated",
        "A compressed P-256 public key as Themis generates it.",
        &[],
        kc(&ecq),
    )?;
    b.valid(
        "valid/ec-private-32-byte-scalar",
        "REC2 with the 32-byte scalar (no leading zero), as some tools write it.",
        &["Scalar32Bytes"],
        kc(&container(b"REC2", &d)),
    )?;
    b.valid(
        "valid/ec-public-uncompressed",
        "UEC2 with the uncompressed 65-byte point.",
        &["UncompressedPublicKey"],
        kc(&p256_uncompressed(&ecq)),
    )?;
    let mut par = payload(&ecq).to_vec();
    par[0] ^= 1;
    b.valid(
        "valid/ec-public-other-parity",
        "The compressed key with 02 and 03 swapped: the negated point, another valid key.",
        &["CompressedParity"],
        kc(&container(b"UEC2", &par)),
    )?;
    let n = big(N_P256);
    let one = BigUint::from(1u32);
    b.valid(
        "valid/ec-private-scalar-one",
        "Scalar d = 1, the smallest valid scalar.",
        &[],
        kc(&container(b"REC2", &cat(&[&[0], &be_pad(&one, 32)]))),
    )?;
    b.valid(
        "valid/ec-private-scalar-n-minus-1",
        "Scalar d = n − 1, the largest valid scalar.",
        &[],
        kc(&container(
            b"REC2",
            &cat(&[&[0], &be_pad(&(&n - &one), 32)]),
        )),
    )?;
    b.valid("valid/ec-private-truncated-fixed-is-32-byte-scalar", "A REC2 container cut by one byte with size and CRC fixed: 00 || d[0..31] reads as a 32-byte scalar, which is in range, so this is a (different) valid key.", &["Scalar32Bytes"], kc(&rebuild(&ecp, &payload(&ecp)[..32])))?;
    for (name, p) in [("p384", &k.p384), ("p521", &k.p521)] {
        b.valid(
            &format!("valid/{name}-private"),
            "A private key on another curve, 00 || d.",
            &["OtherCurves"],
            kc(&p.private),
        )?;
        b.valid(
            &format!("valid/{name}-public-compressed"),
            "A compressed public key on another curve.",
            &["OtherCurves"],
            kc(&p.public),
        )?;
        b.valid(
            &format!("valid/{name}-private-short-scalar"),
            "A private key on another curve without the leading zero.",
            &["OtherCurves", "Scalar32Bytes"],
            kc(&rebuild(&p.private, &ec_scalar(&p.private))),
        )?;
    }
    {
        use p384::elliptic_curve::sec1::ToEncodedPoint;
        if let Ok(pk) = p384::PublicKey::from_sec1_bytes(payload(&k.p384.public)) {
            b.valid(
                "valid/p384-public-uncompressed",
                "An uncompressed P-384 public key (97-byte point).",
                &["OtherCurves", "UncompressedPublicKey"],
                kc(&container(b"UEC3", pk.to_encoded_point(false).as_bytes())),
            )?;
        }
    }
    {
        use p521::elliptic_curve::sec1::ToEncodedPoint;
        if let Ok(pk) = p521::PublicKey::from_sec1_bytes(payload(&k.p521.public)) {
            b.valid(
                "valid/p521-public-uncompressed",
                "An uncompressed P-521 public key (133-byte point).",
                &["OtherCurves", "UncompressedPublicKey"],
                kc(&container(b"UEC5", pk.to_encoded_point(false).as_bytes())),
            )?;
        }
    }
    for (name, p) in [
        ("rsa1024", &k.rsa1),
        ("rsa2048", &k.rsa2),
        ("rsa4096", &k.rsa4),
    ] {
        b.valid(
            &format!("valid/{name}-private"),
            "An upstream pythemis RSA private key.",
            &[],
            kc(&p.private),
        )?;
        b.valid(
            &format!("valid/{name}-public"),
            "An upstream pythemis RSA public key.",
            &[],
            kc(&p.public),
        )?;
    }
    let mut n8 = b.g.bytes(1024);
    n8[0] |= 0xc0;
    n8[1023] |= 1;
    b.valid("valid/rsa8192-public-synthetic", "A URA8 public key (8192-bit modulus, a random odd number) with e = 65537: the largest size Themis stores; no private key exists for it.", &["SyntheticModulus"], kc(&container(b"URA8", &cat(&[&n8, &65537u32.to_be_bytes()]))))?;
    b.valid(
        "valid/rsa1024-e3-private",
        "An RSA-1024 private key with e = 3, which Themis imports.",
        &["RsaExponent"],
        kc(&rsa_e3.private),
    )?;
    b.valid(
        "valid/rsa1024-e3-public",
        "An RSA-1024 public key with e = 3.",
        &["RsaExponent"],
        kc(&rsa_e3.public),
    )?;
    let mut e3 = payload(&k.rsa1.public).to_vec();
    let el = e3.len();
    e3[el - 4..].copy_from_slice(&3u32.to_be_bytes());
    b.valid("valid/rsa1024-public-e-changed-to-3", "A public key whose e is changed from 65537 to 3 (CRC fixed): nothing ties n to e in a public key, so it is a valid (different) key.", &["RsaExponent"], kc(&rebuild(&k.rsa1.public, &e3)))?;

    // -- input length
    b.bad(
        "length/empty",
        "An empty input is not a key.",
        &[],
        kc(&[]),
        key,
    )?;
    b.bad("length/one-byte", "A single byte.", &[], kc(&ecp[..1]), key)?;
    b.bad(
        "length/eleven-bytes",
        "Shorter than the 12-byte container header.",
        &[],
        kc(&ecp[..11]),
        key,
    )?;
    b.bad(
        "length/header-only-fixed",
        "A 12-byte REC2 container with size 12 and a right CRC: no payload.",
        &[],
        kc(&container(b"REC2", &[])),
        key,
    )?;
    for (name, c) in [
        ("ec-private", &ecp),
        ("ec-public", &ecq),
        ("rsa1024-public", &k.rsa1.public),
        ("rsa1024-private", &k.rsa1.private),
    ] {
        let l = c.len();
        let (fl, id): (&[&str], &str) = if name == "ec-private" {
            (&["PeerObserved"], " (sign_key_truncated)")
        } else {
            (&[], "")
        };
        b.bad(
            &format!("length/{name}-truncated-1"),
            &format!("The last byte removed; size and CRC left as they were{id}."),
            fl,
            kc(&c[..l - 1]),
            key,
        )?;
        b.bad(
            &format!("length/{name}-extended-1"),
            "A zero byte appended; size and CRC left as they were.",
            &[],
            kc(&cat(&[c, &[0]])),
            key,
        )?;
        b.bad(&format!("length/{name}-extended-1-fixed"), "A zero byte appended to the payload, size and CRC fixed: a payload length the tag does not allow.", &[], kc(&rebuild(c, &cat(&[payload(c), &[0]]))), key)?;
        if name != "ec-private" {
            b.bad(
                &format!("length/{name}-truncated-1-fixed"),
                "The payload cut by one byte, size and CRC fixed.",
                &[],
                kc(&rebuild(c, &payload(c)[..payload(c).len() - 1])),
                key,
            )?;
        }
    }
    b.bad(
        "length/ec-private-truncated-2-fixed",
        "REC2 payload cut to 31 bytes, size and CRC fixed.",
        &[],
        kc(&rebuild(&ecp, &payload(&ecp)[..31])),
        key,
    )?;
    b.bad(
        "length/ec-private-leading-zeros-34",
        "00 00 || d (34 bytes), size and CRC fixed.",
        &[],
        kc(&container(b"REC2", &cat(&[&[0, 0], &d]))),
        key,
    )?;
    let unc = p256_uncompressed(&ecq);
    b.bad(
        "length/ec-public-uncompressed-truncated-fixed",
        "An uncompressed point cut to 64 bytes, size and CRC fixed.",
        &[],
        kc(&rebuild(&unc, &payload(&unc)[..64])),
        key,
    )?;

    // -- tag
    for (name, c) in [("rec2", &ecp), ("uec2", &ecq), ("ura1", &k.rsa1.public)] {
        for i in 0..4 {
            for mask in [0x01u8, 0x20] {
                let mut t: [u8; 4] = c[..4].try_into().map_err(|_| "tag")?;
                t[i] ^= mask;
                b.bad(&format!("tag/{name}-byte{i}-xor-{mask:02x}"), &format!("Tag byte {i} XOR {mask:#04x} ({}), CRC recomputed: an unknown tag, or a known one with a payload length it does not allow.", String::from_utf8_lossy(&t).escape_default()), &[], kc(&retag(c, &t)), key)?;
            }
        }
    }
    for (t, c, why) in [
        (*b"XEC2", &ecp, "an unknown kind (sign_key_tag_XEC2_crc_ok)"),
        (*b"REC1", &ecp, "an unknown curve digit"),
        (*b"REC4", &ecp, "an unknown curve digit"),
        (*b"UEC6", &ecq, "an unknown curve digit"),
        (
            *b"REC3",
            &ecp,
            "P-384 tag with 33-byte P-256 data (sign_key_tag_REC3_crc_ok)",
        ),
        (*b"REC5", &ecp, "P-521 tag with P-256 data"),
        (*b"UEC3", &ecq, "P-384 tag with a P-256 point"),
        (*b"REC2", &k.p384.private, "P-256 tag with P-384 data"),
        (
            *b"UEC2",
            &ecp,
            "a public tag on private data: 00 || d read as a point with prefix 00",
        ),
        (
            *b"REC2",
            &ecq,
            "a private tag on public data: the 02/03 prefix read as a non-zero pad byte",
        ),
        (*b"URA2", &k.rsa1.public, "RSA-2048 tag with RSA-1024 data"),
        (*b"URA1", &k.rsa2.public, "RSA-1024 tag with RSA-2048 data"),
        (*b"RRA1", &k.rsa1.public, "a private RSA tag on public data"),
        (
            *b"URA1",
            &k.rsa1.private,
            "a public RSA tag on private data",
        ),
        (*b"URA3", &k.rsa1.public, "an unknown RSA size digit"),
        (*b"rec2", &ecp, "a lowercase tag"),
        (*b"\0\0\0\0", &ecp, "an all-zero tag"),
    ] {
        let tname = String::from_utf8_lossy(&t).replace('\0', "0");
        let swapped_kind =
            (t == *b"UEC2" && c.starts_with(b"REC2")) || (t == *b"REC2" && c.starts_with(b"UEC2"));
        let flags: &[&str] = if t == *b"XEC2" || (t == *b"REC3" && c == &ecp) {
            &["PeerObserved"]
        } else if swapped_kind {
            // Same payload length under the other kind's tag: the framing checks pass.
            &["KeyCheckDeferred"]
        } else {
            &[]
        };
        b.bad(
            &format!(
                "tag/{}-{}",
                tname.to_lowercase(),
                String::from_utf8_lossy(&c[..4]).to_lowercase()
            ),
            &format!("Tag {tname} with CRC recomputed: {why}."),
            flags,
            kc(&retag(c, &t)),
            key,
        )?;
    }
    let mut rec3 = ecp.clone();
    rec3[3] = b'3';
    b.bad("tag/rec3-p256-data-crc-stale", "Tag changed to REC3 without fixing the CRC (sign_key_tag_REC3): the CRC no longer matches.", &["PeerObserved", "KeyChecksum"], kc(&rec3), key)?;

    // -- size
    for (name, c) in [
        ("ec-private", &ecp),
        ("ec-public", &ecq),
        ("rsa2048-public", &k.rsa2.public),
    ] {
        let size = u32::try_from(c.len()).unwrap_or(0);
        for (what, v) in [
            ("zero", 0u32),
            ("plus-1", size + 1),
            ("minus-1", size - 1),
            ("ffffffff", u32::MAX),
            ("12", 12),
            ("payload-only", size - 12),
            ("little-endian", size.swap_bytes()),
        ] {
            let mut x = c.clone();
            x[4..8].copy_from_slice(&v.to_be_bytes());
            refix_crc(&mut x);
            let fl: &[&str] = if what == "zero" && name == "ec-private" {
                &["PeerObserved"]
            } else {
                &[]
            };
            b.bad(&format!("size/{name}-{what}"), &format!("The size field set to {v:#x} (CRC recomputed); it must be the container length {size}, big-endian{}.", if fl.is_empty() { "" } else { " (sign_key_bad_size)" }), fl, kc(&x), key)?;
        }
    }

    // -- crc
    for (name, c) in [
        ("ec-private", &ecp),
        ("ec-public", &ecq),
        ("rsa1024-private", &k.rsa1.private),
    ] {
        for i in 0..4 {
            b.bad(
                &format!("crc/{name}-byte{i}-flipped"),
                &format!("CRC byte {i} XOR 0x01."),
                &["KeyChecksum"],
                kc(&flip(c, 8 + i, 1)),
                key,
            )?;
        }
        let mut z = c.clone();
        z[8..12].fill(0);
        b.bad(
            &format!("crc/{name}-zero"),
            "CRC field zero.",
            &["KeyChecksum"],
            kc(&z),
            key,
        )?;
        let crc = crc_of(c);
        let mut be = c.clone();
        be[8..12].copy_from_slice(&crc.to_be_bytes());
        b.bad(
            &format!("crc/{name}-crc32c-big-endian"),
            "The right CRC-32C stored big-endian instead of little-endian.",
            &["KeyChecksum"],
            kc(&be),
            key,
        )?;
        let mut zz = c.clone();
        zz[8..12].fill(0);
        let ieee = crc32_ieee(&zz);
        for (what, bytes) in [("le", ieee.to_le_bytes()), ("be", ieee.to_be_bytes())] {
            let mut x = c.clone();
            x[8..12].copy_from_slice(&bytes);
            b.bad(
                &format!("crc/{name}-crc32-ieee-{what}"),
                "CRC-32 (IEEE) instead of CRC-32C.",
                &["KeyChecksum"],
                kc(&x),
                key,
            )?;
        }
        let pc = crc32c::crc32c(payload(c));
        let mut x = c.clone();
        x[8..12].copy_from_slice(&pc.to_le_bytes());
        b.bad(
            &format!("crc/{name}-over-payload-only"),
            "CRC-32C over the payload only, not the whole container.",
            &["KeyChecksum"],
            kc(&x),
            key,
        )?;
        b.bad(
            &format!("crc/{name}-last-byte-edited"),
            "The last payload byte XOR 0x01 without updating the CRC (sign_key_bad_data).",
            &["KeyChecksum", "PeerObserved"],
            kc(&flip(c, c.len() - 1, 1)),
            key,
        )?;
    }

    // -- scalar
    let defer = &["KeyCheckDeferred"][..];
    let pad = |v: &BigUint| container(b"REC2", &cat(&[&[0], &be_pad(v, 32)]));
    b.bad(
        "scalar/zero",
        "d = 0 (sign_key_scalar_zero).",
        &["KeyCheckDeferred", "PeerObserved"],
        kc(&pad(&BigUint::from(0u32))),
        key,
    )?;
    b.bad(
        "scalar/zero-32-byte",
        "d = 0 in the 32-byte form.",
        defer,
        kc(&container(b"REC2", &[0; 32])),
        key,
    )?;
    b.bad("scalar/n", "d = n.", defer, kc(&pad(&n)), key)?;
    b.bad(
        "scalar/n-plus-1",
        "d = n + 1 (≡ 1 mod n, but out of range).",
        defer,
        kc(&pad(&(&n + &one))),
        key,
    )?;
    b.bad(
        "scalar/all-ff",
        "d = 2^256 − 1.",
        defer,
        kc(&container(b"REC2", &cat(&[&[0], &[0xff; 32]]))),
        key,
    )?;
    b.bad(
        "scalar/all-ff-32-byte",
        "d = 2^256 − 1 in the 32-byte form.",
        defer,
        kc(&container(b"REC2", &[0xff; 32])),
        key,
    )?;
    b.bad("scalar/pad-byte-01", "The leading byte of the 33-byte field is 01: the integer is ≥ 2^256 > n (sign_key_scalar_ge_n).", &["KeyCheckDeferred", "PeerObserved"], kc(&container(b"REC2", &cat(&[&[1], &d]))), key)?;
    b.bad(
        "scalar/p384-n",
        "P-384 d = n.",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(
            b"REC3",
            &cat(&[&[0], &be_pad(&big(N_P384), 48)]),
        )),
        key,
    )?;
    b.bad(
        "scalar/p521-n",
        "P-521 d = n.",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(
            b"REC5",
            &cat(&[&[0], &be_pad(&big(N_P521), 66)]),
        )),
        key,
    )?;
    b.bad(
        "scalar/p521-zero",
        "P-521 d = 0.",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(b"REC5", &[0; 67])),
        key,
    )?;

    b.bad(
        "scalar/p521-66-byte-above-2-521",
        "P-521 scalar field 02 00 .. 00 (66-byte form): ≥ 2^521 > n.",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(b"REC5", &cat(&[&[2], &[0; 65]]))),
        key,
    )?;
    b.bad(
        "scalar/p384-all-ff",
        "P-384 d = 2^384 − 1 (48-byte form).",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(b"REC3", &[0xff; 48])),
        key,
    )?;
    // -- point
    let x = &payload(&ecq)[1..];
    b.bad(
        "point/x-all-ff",
        "x = 0xff..ff (≥ p) with prefix 02 (encrypt_pub_not_on_curve).",
        &["KeyCheckDeferred", "PeerObserved"],
        kc(&container(b"UEC2", &cat(&[&[2], &[0xff; 32]]))),
        key,
    )?;
    b.bad(
        "point/x-equals-p",
        "x = p with prefix 02: not a field element.",
        defer,
        kc(&container(b"UEC2", &cat(&[&[2], &unhex(P_P256)]))),
        key,
    )?;
    let off = small_x_point(false);
    b.bad(
        "point/compressed-no-square-root",
        "A compressed point whose x has no y on the curve (smallest such x).",
        defer,
        kc(&off),
        key,
    )?;
    let on = small_x_point(true);
    b.valid(
        "point/compressed-small-x-valid",
        "The smallest x that is on the curve, compressed: an odd-looking but valid key.",
        &[],
        kc(&on),
    )?;
    let up = payload(&unc).to_vec();
    let mut ybad = up.clone();
    ybad[64] ^= 1;
    b.bad(
        "point/uncompressed-y-plus-minus-1",
        "The uncompressed point with y's last bit flipped: off the curve.",
        defer,
        kc(&container(b"UEC2", &ybad)),
        key,
    )?;
    let odd = up[64] & 1;
    for (pfx, label) in [
        (6u8 | odd, "hybrid-right-parity"),
        (7u8 - odd, "hybrid-wrong-parity"),
    ] {
        let mut hy = up.clone();
        hy[0] = pfx;
        b.bad(
            &format!("point/{label}"),
            &format!(
                "X9.62 hybrid encoding (prefix {pfx:02x}) of the point (encrypt_pub_hybrid_point)."
            ),
            &["KeyCheckDeferred", "PeerObserved"],
            kc(&container(b"UEC2", &hy)),
            key,
        )?;
    }
    for pfx in [0x00u8, 0x01, 0x04, 0x05, 0xff] {
        b.bad(
            &format!("point/compressed-prefix-{pfx:02x}"),
            &format!(
                "A 33-byte point with prefix {pfx:02x}{}.",
                if pfx == 5 {
                    " (encrypt_pub_bad_prefix)"
                } else {
                    ""
                }
            ),
            if pfx == 5 {
                &["KeyCheckDeferred", "PeerObserved"]
            } else {
                defer
            },
            kc(&container(b"UEC2", &cat(&[&[pfx], x]))),
            key,
        )?;
    }
    for pfx in [0x02u8, 0x03, 0x05] {
        let mut p = up.clone();
        p[0] = pfx;
        b.bad(
            &format!("point/uncompressed-prefix-{pfx:02x}"),
            &format!("A 65-byte point with prefix {pfx:02x}."),
            defer,
            kc(&container(b"UEC2", &p)),
            key,
        )?;
    }
    b.bad(
        "point/uncompressed-all-zero",
        "04 || 0 || 0: the point (0, 0) is not on the curve.",
        defer,
        kc(&container(b"UEC2", &cat(&[&[4], &[0; 64]]))),
        key,
    )?;
    let mut p384bad = payload(&k.p384.public).to_vec();
    p384bad[1..].fill(0xff);
    b.bad(
        "point/p384-x-all-ff",
        "P-384 x = 0xff..ff.",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(b"UEC3", &p384bad)),
        key,
    )?;
    let mut p521bad = payload(&k.p521.public).to_vec();
    p521bad[1..].fill(0xff);
    b.bad(
        "point/p521-x-all-ff",
        "P-521 x = 0xff..ff (also above the 521-bit field).",
        &["KeyCheckDeferred", "OtherCurves"],
        kc(&container(b"UEC5", &p521bad)),
        key,
    )?;

    // -- rsa numbers
    let pubp = payload(&k.rsa1.public).to_vec();
    let plen = pubp.len();
    for e in [
        0u32,
        1,
        2,
        5,
        17,
        65535,
        65536,
        65539,
        0x0101_0001,
        u32::MAX,
    ] {
        let mut p = pubp.clone();
        p[plen - 4..].copy_from_slice(&e.to_be_bytes());
        b.bad(
            &format!("rsa/public-e-{e}"),
            &format!("RSA public exponent {e}: Themis imports only 3 and 65537."),
            &["RsaExponent", "KeyCheckDeferred"],
            kc(&rebuild(&k.rsa1.public, &p)),
            key,
        )?;
    }
    let mut nz = pubp.clone();
    nz[0] = 0;
    b.bad("rsa/public-modulus-top-byte-zero", "The modulus's first byte zeroed: it no longer fills its field (a 1016-bit key under a 1024-bit tag).", &["KeyCheckDeferred"], kc(&rebuild(&k.rsa1.public, &nz)), key)?;
    let mut ne = pubp.clone();
    ne[plen - 5] ^= 1;
    b.bad(
        "rsa/public-modulus-even",
        "The modulus's last bit flipped: an even modulus.",
        &["KeyCheckDeferred"],
        kc(&rebuild(&k.rsa1.public, &ne)),
        key,
    )?;
    let pr = payload(&k.rsa1.private).to_vec();
    let (kk, hf) = (128usize, 64usize);
    for (field, at) in [
        ("d", 0usize),
        ("p", kk),
        ("q", kk + hf),
        ("dp", kk + 2 * hf),
        ("dq", kk + 3 * hf),
        ("qp", kk + 4 * hf),
        ("n", kk + 5 * hf),
    ] {
        let mut x = pr.clone();
        x[at + 10] ^= 0x01;
        b.bad(&format!("rsa/private-{field}-edited"), &format!("One byte of the private key's {field} XOR 0x01, CRC fixed: the numbers no longer agree."), &["RsaCrtUnchecked"], kc(&rebuild(&k.rsa1.private, &x)), key)?;
    }
    let prl = pr.len();
    for e in [3u32, 5, 17] {
        let mut x = pr.clone();
        x[prl - 4..].copy_from_slice(&e.to_be_bytes());
        b.bad(
            &format!("rsa/private-e-changed-to-{e}"),
            &format!("The private key's e set to {e} (CRC fixed): d is no longer its inverse."),
            &["RsaCrtUnchecked", "RsaExponent"],
            kc(&rebuild(&k.rsa1.private, &x)),
            key,
        )?;
    }
    let mut sw = pr.clone();
    sw[kk..kk + hf].copy_from_slice(&pr[kk + hf..kk + 2 * hf]);
    sw[kk + hf..kk + 2 * hf].copy_from_slice(&pr[kk..kk + hf]);
    b.bad(
        "rsa/private-p-q-swapped",
        "p and q swapped (CRC fixed): dp, dq and qp now belong to the other order.",
        &["RsaCrtUnchecked"],
        kc(&rebuild(&k.rsa1.private, &sw)),
        key,
    )?;
    let mut mixed = pr.clone();
    let other = payload(&k.rsa1b.private);
    mixed[kk + 5 * hf..kk + 5 * hf + kk].copy_from_slice(&other[kk + 5 * hf..kk + 5 * hf + kk]);
    b.bad(
        "rsa/private-n-from-other-key",
        "The modulus replaced by another key's (CRC fixed): n ≠ p·q.",
        &["RsaCrtUnchecked"],
        kc(&rebuild(&k.rsa1.private, &mixed)),
        key,
    )?;
    Ok(b.done("Soter key containers: every kind and curve, and every container defect (tag, size, CRC, length), invalid scalars and points, RSA numbers."))
}

// ---------------------------------------------------------------------------------------
// themis.sign
// ---------------------------------------------------------------------------------------

fn sign_args(private: &[u8], message: &[u8]) -> Value {
    json!({"private_key": h(private), "message": h(message)})
}

fn sign_file(g: &mut Gen) -> Result<Generated, String> {
    let k = keys(g)?;
    let mut b = B {
        g,
        op: "themis.sign",
        tests: Vec::new(),
    };
    let check = |p: &Pair| Check::ThemisVerify { public_key: p.pb() };
    for len in [1usize, 2, 100, 1000, 70000] {
        let msg = b.g.bytes(len);
        let fl: &[&str] = if len == 70000 { &["Large"] } else { &[] };
        b.checked(&format!("valid/ec-p256-{len}-bytes"), &format!("Sign {len} bytes with a generated P-256 key; the output is checked by verifying it."), fl, sign_args(&k.a.private, &msg), check(&k.a))?;
    }
    let short = Pair {
        private: container(b"REC2", &ec_scalar(&k.b.private)),
        public: k.b.public.clone(),
    };
    let msg = b.g.bytes(33);
    b.checked(
        "valid/ec-p256-32-byte-scalar-key",
        "Sign with a REC2 key in the 32-byte scalar form.",
        &["Scalar32Bytes"],
        sign_args(&short.private, &msg),
        check(&short),
    )?;
    let client = upstream_pair("integration_client.priv", "integration_client.pub")?;
    b.checked("valid/upstream-integration-client-key", "Sign with upstream tests/_integration/keys/client.priv (44 bytes, 32-byte scalar); checked with its uncompressed client.pub.", &["Scalar32Bytes", "UncompressedPublicKey"], sign_args(&client.private, b"Hello, Themis!"), check(&client))?;
    for (name, p) in [("p384", &k.p384), ("p521", &k.p521)] {
        for len in [1usize, 100] {
            let msg = b.g.bytes(len);
            b.checked(
                &format!("valid/{name}-{len}-bytes"),
                "Sign with a key on another curve (ECDSA with SHA-256).",
                &["OtherCurves"],
                sign_args(&p.private, &msg),
                check(p),
            )?;
        }
    }
    for (name, p, lens) in [
        ("rsa1024", &k.rsa1, &[1usize, 2, 100, 1000][..]),
        ("rsa2048", &k.rsa2, &[1, 100, 70000][..]),
        ("rsa4096", &k.rsa4, &[1, 100][..]),
    ] {
        for &len in lens {
            let msg = b.g.bytes(len);
            let fl: &[&str] = if len == 70000 { &["Large"] } else { &[] };
            b.checked(
                &format!("valid/{name}-{len}-bytes"),
                "Sign with an upstream RSA key (PSS-SHA256, the largest salt).",
                fl,
                sign_args(&p.private, &msg),
                check(p),
            )?;
        }
    }
    for (name, private, public) in [
        (
            "upstream-pythemis-ec256",
            "pythemis_ec256_priv",
            "pythemis_ec256_pub",
        ),
        (
            "upstream-rust-ecdsa",
            "rust_ECDSA_PRIVATE",
            "rust_ECDSA_PUBLIC",
        ),
        (
            "upstream-integration-server",
            "integration_server.priv",
            "integration_server.pub",
        ),
        (
            "upstream-objc-rsa1024",
            "objc_privateKeyRSA1024",
            "objc_publicKeyRSA1024",
        ),
        (
            "upstream-jsthemis-rsa2048",
            "jsthemis_rsa_priv",
            "jsthemis_rsa_pub",
        ),
    ] {
        let p = upstream_pair(private, public)?;
        let msg = b.g.bytes(48);
        b.checked(
            &format!("valid/{name}"),
            &format!("Sign with the upstream key fixture {private}; checked with {public}."),
            &[],
            sign_args(&p.private, &msg),
            check(&p),
        )?;
    }
    for (name, p) in [("p384", &k.p384), ("p521", &k.p521)] {
        let short = Pair {
            private: rebuild(&p.private, &ec_scalar(&p.private)),
            public: p.public.clone(),
        };
        let msg = b.g.bytes(5);
        b.checked(
            &format!("valid/{name}-short-scalar-key"),
            "Sign with a key on another curve stored without the leading zero byte.",
            &["OtherCurves", "Scalar32Bytes"],
            sign_args(&short.private, &msg),
            check(&short),
        )?;
    }
    let low = Pair {
        private: container(b"REC2", &cat(&[&[0], &be_pad(&BigUint::from(1u32), 32)])),
        public: Vec::new(),
    };
    let low = Pair {
        public: crate::themis::public_key_for(&low.private).map_err(|e| e.to_string())?,
        ..low
    };
    b.checked(
        "valid/ec-scalar-one",
        "Sign with d = 1 (public key = the generator): a valid, if silly, key.",
        &[],
        sign_args(&low.private, b"d=1"),
        check(&low),
    )?;
    // empty first
    for (name, key, id) in [
        ("ec", &k.a.private, "sign_empty"),
        ("rsa", &k.rsa2.private, "sign_empty_rsa"),
        ("p384", &k.p384.private, ""),
        ("ec-public-key", &k.a.public, ""),
        ("broken-key", &flip(&k.a.private, 8, 1), ""),
    ] {
        let mut fl = vec!["EmptyMessage"];
        let mut comment = "Sign an empty message: refused before the key is looked at.".to_string();
        if name.contains("key") {
            fl.push("EmptyBeforeKey");
        }
        if !id.is_empty() {
            fl.push("PeerObserved");
            comment.push_str(&format!(" ({id})"));
        }
        b.bad(
            &format!("empty/{name}"),
            &comment,
            &fl,
            sign_args(key, &[]),
            Stage::Empty,
        )?;
    }
    let msg = b.g.bytes(16);
    for (name, key, id) in [
        ("ec-public", &k.a.public, " (sign_with_public)"),
        ("rsa-public", &k.rsa1.public, ""),
        ("p521-public", &k.p521.public, ""),
    ] {
        b.bad(
            &format!("key_kind/{name}"),
            &format!("Sign with a public key{id}."),
            if id.is_empty() {
                &[]
            } else {
                &["PeerObserved"]
            },
            sign_args(key, &msg),
            Stage::KeyKind,
        )?;
    }
    let d = ec_scalar(&k.a.private);
    let n = big(N_P256);
    let defects: Vec<(&str, Vec<u8>, &str, Vec<&str>)> = vec![
        (
            "crc-flipped",
            flip(&k.a.private, 8, 1),
            "CRC byte flipped (sign_key_bad_crc).",
            vec!["KeyChecksum", "PeerObserved"],
        ),
        (
            "scalar-edited-crc-stale",
            flip(&k.a.private, 20, 1),
            "A scalar byte flipped, CRC not updated (sign_key_bad_data).",
            vec!["KeyChecksum", "PeerObserved"],
        ),
        (
            "size-zero",
            {
                let mut x = k.a.private.clone();
                x[4..8].fill(0);
                x
            },
            "Size field zeroed (sign_key_bad_size).",
            vec!["PeerObserved"],
        ),
        (
            "truncated-1",
            k.a.private[..44].to_vec(),
            "Key truncated by one byte (sign_key_truncated).",
            vec!["PeerObserved"],
        ),
        (
            "tag-rec3-crc-fixed",
            retag(&k.a.private, b"REC3"),
            "Tag REC3 with P-256 data, CRC fixed (sign_key_tag_REC3_crc_ok).",
            vec!["PeerObserved"],
        ),
        (
            "tag-rec3-crc-stale",
            {
                let mut x = k.a.private.clone();
                x[3] = b'3';
                x
            },
            "Tag changed to REC3 without fixing the CRC (sign_key_tag_REC3).",
            vec!["KeyChecksum", "PeerObserved"],
        ),
        (
            "tag-xec2-crc-fixed",
            retag(&k.a.private, b"XEC2"),
            "Tag XEC2, CRC fixed (sign_key_tag_XEC2_crc_ok).",
            vec!["PeerObserved"],
        ),
        (
            "scalar-zero",
            container(b"REC2", &[0; 33]),
            "Scalar 0 (sign_key_scalar_zero).",
            vec!["KeyCheckDeferred", "PeerObserved"],
        ),
        (
            "scalar-pad-01",
            container(b"REC2", &cat(&[&[1], &d])),
            "Leading byte 01: scalar ≥ n (sign_key_scalar_ge_n).",
            vec!["KeyCheckDeferred", "PeerObserved"],
        ),
        (
            "scalar-n",
            container(b"REC2", &cat(&[&[0], &be_pad(&n, 32)])),
            "Scalar n.",
            vec!["KeyCheckDeferred"],
        ),
        (
            "rsa-qp-edited",
            {
                let mut x = payload(&k.rsa1.private).to_vec();
                x[128 + 4 * 64 + 3] ^= 1;
                rebuild(&k.rsa1.private, &x)
            },
            "RSA private key with a wrong qp (CRC fixed).",
            vec!["RsaCrtUnchecked"],
        ),
        (
            "rsa-e-5",
            {
                let mut x = payload(&k.rsa1.private).to_vec();
                let l = x.len();
                x[l - 4..].copy_from_slice(&5u32.to_be_bytes());
                rebuild(&k.rsa1.private, &x)
            },
            "RSA private key with e = 5.",
            vec!["RsaExponent"],
        ),
    ];
    for (name, key, comment, fl) in defects {
        b.bad(
            &format!("key/{name}"),
            comment,
            &fl,
            sign_args(&key, &msg),
            Stage::Key,
        )?;
    }
    Ok(b.done("themis.sign: signatures are randomised (RSA) or implementation-chosen (ECDSA nonces), so outputs are checked by verifying them; empty messages, wrong key kinds and defective keys."))
}

// ---------------------------------------------------------------------------------------
// themis.verify
// ---------------------------------------------------------------------------------------

fn va(public: &[u8], signed: &[u8]) -> Value {
    json!({"public_key": h(public), "signed": h(signed)})
}

fn signed_by(b: &mut B<'_>, private: &[u8], msg: &[u8]) -> Result<Vec<u8>, String> {
    let v = b.g.ok("themis.sign", &sign_args(private, msg))?;
    Ok(unhex(v["signed"].as_str().unwrap_or_default()))
}

/// Systematic edits of a signed message's header and length; `max_sig` is the key's largest
/// signature (the legacy-tail bound), `rsa` whether the family is RSA.
fn signed_edits(
    b: &mut B<'_>,
    tag: &str,
    public: &[u8],
    signed: &[u8],
    max_sig: usize,
    rsa: bool,
) -> Result<(), String> {
    let m = get_u32(signed, 4) as usize;
    let s = get_u32(signed, 8) as usize;
    let ty = get_u32(signed, 0);
    let tail_stage = |tail: usize, s2: usize| {
        if !rsa && s2 + tail <= max_sig {
            Stage::Signature
        } else {
            Stage::Length
        }
    };
    for (what, v) in edits(ty) {
        let x = with_u32(signed, 0, v);
        let low_ok =
            v & 0xffff_ff00 == 0x2604_2600 && v != if rsa { EC_SIGNED } else { RSA_SIGNED };
        let comment = format!("message_type {ty:#010x} → {v:#010x}.");
        if low_ok {
            b.lenient(
                &format!("header/{tag}-type-{what}"),
                &format!("{comment} Only the low byte changes, which Themis does not check."),
                &["SignedTypeLowByte"],
                va(public, &x),
                Stage::Header,
            )?;
        } else {
            b.bad(
                &format!("header/{tag}-type-{what}"),
                &comment,
                &[],
                va(public, &x),
                Stage::Header,
            )?;
        }
    }
    for (what, v) in edits(m as u32) {
        let x = with_u32(signed, 4, v);
        let (stage, fl): (Stage, &[&str]) = match what {
            "plus-1" | "ffffffff" => (Stage::Length, &[]),
            "zero" => (Stage::Empty, &["EmptyMessage"]),
            _ => {
                let st = tail_stage(1, s);
                (
                    st,
                    if st == Stage::Signature {
                        &["SignatureBoundaryShift"]
                    } else {
                        &[]
                    },
                )
            }
        };
        b.bad(
            &format!("length/{tag}-message-length-{what}"),
            &format!("message_length {m} → {v}: the declared layout no longer matches the data."),
            fl,
            va(public, &x),
            stage,
        )?;
    }
    for (what, v) in edits(s as u32) {
        let x = with_u32(signed, 8, v);
        let (stage, fl): (Stage, &[&str]) = match what {
            "plus-1" | "ffffffff" => (Stage::Length, &[]),
            _ => {
                let tail = s - v as usize;
                let st = tail_stage(tail, v as usize);
                (
                    st,
                    if st == Stage::Signature {
                        &["SignatureBoundaryShift"]
                    } else {
                        &[]
                    },
                )
            }
        };
        b.bad(
            &format!("length/{tag}-signature-length-{what}"),
            &format!("signature_length {s} → {v}."),
            fl,
            va(public, &x),
            stage,
        )?;
    }
    let l = signed.len();
    let mut cuts = vec![1usize, 3, 4, 7, 8, 11, 12, 12 + m, l - s / 2, l - 1];
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts {
        b.bad(
            &format!("length/{tag}-truncated-to-{cut}"),
            &format!("Only the first {cut} of {l} bytes."),
            &[],
            va(public, &signed[..cut]),
            Stage::Length,
        )?;
    }
    let one = cat(&[signed, &[0]]);
    if tail_stage(1, s) == Stage::Signature {
        b.valid(
            &format!("length/{tag}-append-1-zero"),
            "One zero byte appended: within the legacy allowance.",
            &["LegacySignaturePadding"],
            va(public, &one),
        )?;
    } else {
        b.lenient(
            &format!("length/{tag}-append-1-zero"),
            "One zero byte appended beyond the legacy allowance.",
            &["TrailingBytesAfterSignature"],
            va(public, &one),
            Stage::Length,
        )?;
    }
    let junk = b.g.bytes(max_sig + 1 - s.min(max_sig));
    b.lenient(
        &format!("length/{tag}-append-past-allowance"),
        "Random bytes appended, one more than the legacy allowance permits.",
        &["TrailingBytesAfterSignature"],
        va(public, &cat(&[signed, &junk])),
        Stage::Length,
    )?;
    b.bad(
        &format!("signature/{tag}-plaintext-first-bit"),
        "Plaintext byte 0 XOR 0x01.",
        &[],
        va(public, &flip(signed, 12, 1)),
        Stage::Signature,
    )?;
    b.bad(
        &format!("signature/{tag}-plaintext-last-bit"),
        "Last plaintext byte XOR 0x80.",
        &[],
        va(public, &flip(signed, 11 + m, 0x80)),
        Stage::Signature,
    )?;
    for (what, off) in [
        ("first", 12 + m),
        ("middle", 12 + m + s / 2),
        ("last", 12 + m + s - 1),
    ] {
        b.bad(
            &format!("signature/{tag}-signature-{what}-byte"),
            &format!("Signature byte ({what}) XOR 0x01."),
            &[],
            va(public, &flip(signed, off, 1)),
            Stage::Signature,
        )?;
    }
    for i in 1..4 {
        b.bad(
            &format!("header/{tag}-type-byte{i}-bit0"),
            &format!("message_type byte {i} XOR 0x01: a different type family."),
            &[],
            va(public, &flip(signed, i, 1)),
            Stage::Header,
        )?;
    }
    let mut bety = signed.to_vec();
    bety[..4].copy_from_slice(&ty.to_be_bytes());
    b.bad(
        &format!("header/{tag}-type-big-endian"),
        "message_type written big-endian.",
        &[],
        va(public, &bety),
        Stage::Header,
    )?;
    for (name, t) in [
        ("ec-encrypted", EC_ENCRYPTED),
        ("rsa-encrypted", RSA_ENCRYPTED),
    ] {
        b.bad(
            &format!("header/{tag}-type-{name}"),
            "An encrypted type on a signed message.",
            &[],
            va(public, &with_u32(signed, 0, t)),
            Stage::Header,
        )?;
    }
    let other = if rsa { EC_SIGNED } else { RSA_SIGNED };
    b.bad(
        &format!("key_kind/{tag}-type-other-family"),
        "The other family's signed type (EC ↔ RSA) with this key.",
        &[],
        va(public, &with_u32(signed, 0, other)),
        Stage::KeyKind,
    )?;
    Ok(())
}

fn verify_file(g: &mut Gen) -> Result<Generated, String> {
    let k = keys(g)?;
    let mut b = B {
        g,
        op: "themis.verify",
        tests: Vec::new(),
    };
    // valid, all sizes and keys
    for len in [1usize, 2, 100, 1000, 70000] {
        let msg = b.g.bytes(len);
        let s = signed_by(&mut b, &k.a.private, &msg)?;
        let fl: &[&str] = if len == 70000 { &["Large"] } else { &[] };
        b.valid(
            &format!("valid/ec-p256-{len}-bytes"),
            &format!("A P-256 signed message of {len} bytes."),
            fl,
            va(&k.a.public, &s),
        )?;
    }
    let msg = b.g.bytes(50);
    let s = signed_by(&mut b, &k.a.private, &msg)?;
    b.valid(
        "valid/ec-p256-uncompressed-public-key",
        "Verified with the uncompressed form of the signer's public key.",
        &["UncompressedPublicKey"],
        va(&p256_uncompressed(&k.a.public), &s),
    )?;
    for (name, p) in [("p384", &k.p384), ("p521", &k.p521)] {
        for len in [1usize, 100] {
            let msg = b.g.bytes(len);
            let s = signed_by(&mut b, &p.private, &msg)?;
            b.valid(
                &format!("valid/{name}-{len}-bytes"),
                "A message signed with a key on another curve.",
                &["OtherCurves"],
                va(&p.public, &s),
            )?;
        }
    }
    for (name, p, lens) in [
        ("rsa1024", &k.rsa1, &[1usize, 2, 100, 1000][..]),
        ("rsa2048", &k.rsa2, &[1, 100, 70000][..]),
        ("rsa4096", &k.rsa4, &[1, 100][..]),
    ] {
        for &len in lens {
            let msg = b.g.bytes(len);
            let s = signed_by(&mut b, &p.private, &msg)?;
            let fl: &[&str] = if len == 70000 { &["Large"] } else { &[] };
            b.valid(
                &format!("valid/{name}-{len}-bytes"),
                "An RSA-PSS signed message (largest salt).",
                fl,
                va(&p.public, &s),
            )?;
        }
    }
    // PSS salts
    for (name, p, bits) in [("rsa1024", &k.rsa1, 1024usize), ("rsa2048", &k.rsa2, 2048)] {
        let max = (bits - 1).div_ceil(8) - 32 - 2;
        for salt in [0usize, 20, 32, 64, max - 1, max] {
            let msg = b.g.bytes(40);
            let sig = pss_sign(&p.private, &msg, salt, salt as u64)?;
            b.valid(&format!("valid/{name}-pss-salt-{salt}"), &format!("RSA-PSS with a {salt}-byte salt (Themis signs with {max}); the verifier recovers the salt length."), &["PssSaltLength"], va(&p.public, &frame_signed(RSA_SIGNED, &msg, &sig)))?;
        }
    }
    // high-S
    let n = big(N_P256);
    let half = &n >> 1usize;
    let mut found = 0;
    for i in 0u32..64 {
        let msg = format!("high-S probe {i}").into_bytes();
        let s = signed_by(&mut b, &k.a.private, &msg)?;
        let (_, sig) = split_signed(&s);
        let Some((r, sv)) = der_rs(&sig) else {
            continue;
        };
        if sv > half {
            let twin = der_sig(&r, &(&n - &sv));
            b.valid(
                &format!("valid/high-s-{found}"),
                "A reference (RFC 6979) signature whose s > n/2: Themis does not normalise s.",
                &["HighS"],
                va(&k.a.public, &s),
            )?;
            b.valid(&format!("valid/high-s-{found}-low-twin"), "The same signature with s replaced by n − s (low-S), re-encoded, signature_length updated (sv_sig_s_negated).", &["HighS", "PeerObserved"], va(&k.a.public, &frame_signed(EC_SIGNED, &msg, &twin)))?;
            found += 1;
        } else if found < 2 && i < 8 {
            let twin = der_sig(&r, &(&n - &sv));
            b.valid(
                &format!("valid/low-s-{i}-high-twin"),
                "A low-S signature turned into its high-S twin n − s: both verify.",
                &["HighS"],
                va(&k.a.public, &frame_signed(EC_SIGNED, &msg, &twin)),
            )?;
        }
        if found >= 3 {
            break;
        }
    }
    // legacy padding
    let msg = b.g.bytes(64);
    let base = signed_by(&mut b, &k.a.private, &msg)?;
    let s = get_u32(&base, 8) as usize;
    let allow = 72 - s;
    if allow > 0 {
        b.valid("valid/legacy-tail-zeros-full-allowance", &format!("{allow} zero bytes after a {s}-byte signature: the buffer old wrappers returned (72 bytes for the signature)."), &["LegacySignaturePadding"], va(&k.a.public, &cat(&[&base, &vec![0; allow]])))?;
        b.valid("valid/legacy-tail-junk-full-allowance", "The same allowance filled with non-zero bytes (like the 90 fe of the upstream C test): values are not checked.", &["LegacySignaturePadding"], va(&k.a.public, &cat(&[&base, &vec![0x90; allow]])))?;
    }
    b.lenient(
        "length/legacy-tail-one-past-allowance",
        &format!(
            "{} zero bytes after a {s}-byte signature: one more than a 72-byte buffer could hold.",
            allow + 1
        ),
        &["TrailingBytesAfterSignature"],
        va(&k.a.public, &cat(&[&base, &vec![0; allow + 1]])),
        Stage::Length,
    )?;
    for (name, p, max) in [("p384", &k.p384, 104usize), ("p521", &k.p521, 141)] {
        let msg = b.g.bytes(10);
        let sd = signed_by(&mut b, &p.private, &msg)?;
        let s = get_u32(&sd, 8) as usize;
        b.valid(
            &format!("valid/{name}-legacy-tail-full-allowance"),
            &format!(
                "Zero bytes filling the signature up to {max} bytes, the largest for the curve."
            ),
            &["LegacySignaturePadding", "OtherCurves"],
            va(&p.public, &cat(&[&sd, &vec![0; max - s]])),
        )?;
        b.lenient(
            &format!("length/{name}-legacy-tail-one-past"),
            "One byte past the curve's allowance.",
            &["TrailingBytesAfterSignature", "OtherCurves"],
            va(&p.public, &cat(&[&sd, &vec![0; max - s + 1]])),
            Stage::Length,
        )?;
    }
    // §10 rows on the EC base (100 bytes) and systematic edits
    let msg = b.g.bytes(100);
    let ec = signed_by(&mut b, &k.a.private, &msg)?;
    b.valid(
        "valid/ec-base-100",
        "The unmodified 100-byte EC message the edits below start from (sv_ok).",
        &["PeerObserved"],
        va(&k.a.public, &ec),
    )?;
    b.bad(
        "empty/zero-bytes",
        "An empty input (sv_empty).",
        &["PeerObserved", "EmptyMessage"],
        va(&k.a.public, &[]),
        Stage::Empty,
    )?;
    signed_edits(&mut b, "ec", &k.a.public, &ec, 72, false)?;
    for (v, name) in [
        (0x2604_2600u32, "00"),
        (0x2604_26ff, "ff"),
        (0x2604_2601, "01"),
    ] {
        b.lenient(
            &format!("header/ec-type-low-byte-{name}"),
            &format!(
                "message_type {v:#010x}: Themis checks only the upper 24 bits (sv_type_b0_*)."
            ),
            &["SignedTypeLowByte", "PeerObserved"],
            va(&k.a.public, &with_u32(&ec, 0, v)),
            Stage::Header,
        )?;
    }
    let (pt, sig) = split_signed(&ec);
    let s = sig.len();
    b.bad("signature/ec-trailing-inside-der", "signature_length + 2 with two zero bytes after the DER inside the declared signature (sv_sig_trailing_inside).", &["PeerObserved", "NonDerSignature"], va(&k.a.public, &frame_signed(EC_SIGNED, &pt, &cat(&[&sig, &[0, 0]]))), Stage::Signature)?;
    b.bad(
        "signature/ec-wrong-public-key",
        "Verified with an unrelated P-256 key (sv_wrong_pubkey).",
        &["PeerObserved"],
        va(&k.b.public, &ec),
        Stage::Signature,
    )?;
    let mut par = payload(&k.a.public).to_vec();
    par[0] ^= 1;
    b.bad(
        "signature/ec-public-key-other-parity",
        "Verified with the negated point (02 ↔ 03): a valid key, the wrong one.",
        &["CompressedParity"],
        va(&container(b"UEC2", &par), &ec),
        Stage::Signature,
    )?;
    b.bad(
        "signature/ec-p384-key-on-p256-message",
        "Verified with a P-384 key: the DER parses, the signature fails.",
        &["OtherCurves"],
        va(&k.p384.public, &ec),
        Stage::Signature,
    )?;
    b.bad(
        "key_kind/ec-private-key",
        "Verified with the signer's private key (sv_with_private_key).",
        &["PeerObserved"],
        va(&k.a.private, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-rsa-public-key",
        "An EC-signed message with an RSA public key (sv_with_rsa_pub).",
        &["PeerObserved"],
        va(&k.rsa2.public, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-rsa-private-key",
        "An EC-signed message with an RSA private key.",
        &[],
        va(&k.rsa1.private, &ec),
        Stage::KeyKind,
    )?;
    for (name, key, fl) in [
        ("crc-flipped", flip(&k.a.public, 8, 1), vec!["KeyChecksum"]),
        (
            "x-all-ff",
            container(b"UEC2", &cat(&[&[2], &[0xff; 32]])),
            vec!["KeyCheckDeferred"],
        ),
        (
            "hybrid-prefix",
            {
                let mut u = payload(&p256_uncompressed(&k.a.public)).to_vec();
                u[0] = 6 | (u[64] & 1);
                container(b"UEC2", &u)
            },
            vec!["KeyCheckDeferred"],
        ),
        (
            "prefix-05",
            {
                let mut u = payload(&k.a.public).to_vec();
                u[0] = 5;
                container(b"UEC2", &u)
            },
            vec!["KeyCheckDeferred"],
        ),
        (
            "size-minus-1",
            {
                let mut x = k.a.public.clone();
                x[7] -= 1;
                refix_crc(&mut x);
                x
            },
            vec![],
        ),
    ] {
        b.bad(
            &format!("key/ec-public-{name}"),
            "A defective public key.",
            &fl,
            va(&key, &ec),
            Stage::Key,
        )?;
    }
    let eiv = h(&b.g.array::<12>());
    let enc = b.g.ok("themis.encrypt", &json!({"private_key": k.a.pr(), "peer_public_key": k.b.pb(), "message": h(&msg), "random": {"iv": eiv}}))?;
    let enc = unhex(enc["encrypted"].as_str().unwrap_or_default());
    b.bad(
        "header/ec-encrypted-message-given",
        "An EC-encrypted message given to verify (sv_encrypted_input).",
        &["PeerObserved"],
        va(&k.a.public, &enc),
        Stage::Header,
    )?;
    // signature encodings
    let (r, sv) = der_rs(&sig).ok_or("reference DER")?;
    let (rb, sb) = (be_pad(&r, 32), be_pad(&sv, 32));
    let rint = der_int(&int_bytes(&r));
    let sint = der_int(&int_bytes(&sv));
    let body = cat(&[&rint, &sint]);
    let nonder: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "raw-r-s",
            cat(&[&rb, &sb]),
            "raw 64-byte r || s (P1363) instead of DER (sv_sig_raw_rs)",
        ),
        (
            "ber-long-length",
            cat(&[&[0x30, 0x81, body.len() as u8], &body]),
            "SEQUENCE length in long form (BER, not DER)",
        ),
        (
            "indefinite-length",
            cat(&[&[0x30, 0x80], &body, &[0, 0]]),
            "indefinite-length SEQUENCE (BER)",
        ),
        (
            "r-extra-leading-zero",
            der_seq(&cat(&[&der_int(&cat(&[&[0], &int_bytes(&r)])), &sint])),
            "r with a superfluous leading zero byte",
        ),
        (
            "s-extra-leading-zero",
            der_seq(&cat(&[&rint, &der_int(&cat(&[&[0], &int_bytes(&sv)]))])),
            "s with a superfluous leading zero byte",
        ),
        (
            "r-as-negative",
            der_seq(&cat(&[
                &der_int(&[&[0xff], &r.to_bytes_be()[..]].concat()),
                &sint,
            ])),
            "r prefixed with ff: a negative INTEGER",
        ),
        (
            "set-tag",
            cat(&[&[0x31], &der_len(body.len()), &body]),
            "SET tag 31 instead of SEQUENCE",
        ),
        (
            "integer-tag-03",
            der_seq(&cat(&[&cat(&[&[0x03], &rint[1..]]), &sint])),
            "r tagged BIT STRING",
        ),
        (
            "seq-length-plus-1",
            cat(&[&[0x30, body.len() as u8 + 1], &body, &[0]]),
            "SEQUENCE length one too long, padded",
        ),
        (
            "third-integer",
            der_seq(&cat(&[&body, &der_int(&[1])])),
            "a third INTEGER in the SEQUENCE",
        ),
        (
            "r-s-swapped",
            der_seq(&cat(&[&sint, &rint])),
            "r and s swapped",
        ),
        ("s-zero", der_sig(&r, &BigUint::from(0u32)), "s = 0"),
        ("r-zero", der_sig(&BigUint::from(0u32), &sv), "r = 0"),
        (
            "s-plus-n",
            der_sig(&r, &(&sv + &n)),
            "s + n: the same value mod n but out of range",
        ),
        ("r-plus-n", der_sig(&(&r + &n), &sv), "r + n: out of range"),
        ("s-equals-n", der_sig(&r, &n), "s = n"),
        ("empty-sequence", vec![0x30, 0x00], "an empty SEQUENCE"),
    ];
    for (name, sg, why) in nonder {
        let fl: &[&str] = if name == "raw-r-s" {
            &["NonDerSignature", "PeerObserved"]
        } else {
            &["NonDerSignature"]
        };
        b.bad(
            &format!("signature/ec-{name}"),
            &format!("The signature re-encoded as {why}; signature_length updated."),
            fl,
            va(&k.a.public, &frame_signed(EC_SIGNED, &pt, &sg)),
            Stage::Signature,
        )?;
    }
    let _ = s;
    // empty crafted
    let esig = p256_sign_der(&k.a.private, &[]);
    b.bad("empty/ec-crafted-m-0", "message_length 0 with a genuine ECDSA signature of the empty string: cryptographically valid, refused as empty.", &["EmptyMessage"], va(&k.a.public, &frame_signed(EC_SIGNED, &[], &esig)), Stage::Empty)?;
    let rsig = pss_sign(&k.rsa1.private, &[], 94, 7)?;
    b.bad(
        "empty/rsa-crafted-m-0",
        "message_length 0 with a genuine RSA-PSS signature of the empty string.",
        &["EmptyMessage"],
        va(&k.rsa1.public, &frame_signed(RSA_SIGNED, &[], &rsig)),
        Stage::Empty,
    )?;
    // RSA base
    let msg = b.g.bytes(100);
    let rs = signed_by(&mut b, &k.rsa1.private, &msg)?;
    b.valid(
        "valid/rsa-base-100",
        "The unmodified RSA-1024 message the edits below start from.",
        &[],
        va(&k.rsa1.public, &rs),
    )?;
    signed_edits(&mut b, "rsa", &k.rsa1.public, &rs, 128, true)?;
    let msg1 = b.g.bytes(1);
    let rs2 = signed_by(&mut b, &k.rsa2.private, &msg1)?;
    b.valid(
        "valid/rsa2048-1-byte-base",
        "An unmodified RSA-2048 one-byte message (rsv_ok).",
        &["PeerObserved"],
        va(&k.rsa2.public, &rs2),
    )?;
    b.lenient(
        "header/rsa-type-low-byte-00",
        "RSA message_type low byte 00 (rsv_type_b0_00).",
        &["SignedTypeLowByte", "PeerObserved"],
        va(&k.rsa2.public, &with_u32(&rs2, 0, 0x2604_2600)),
        Stage::Header,
    )?;
    b.lenient("length/rsa-append-1", "One byte appended to an RSA message (rsv_append1): RSA signatures are always k bytes, so no tail is legacy.", &["TrailingBytesAfterSignature", "PeerObserved"], va(&k.rsa2.public, &cat(&[&rs2, &[0]])), Stage::Length)?;
    b.bad(
        "signature/rsa-signature-first-bit",
        "RSA signature byte 0 XOR 0x01 (rsv_sig_bit).",
        &["PeerObserved"],
        va(&k.rsa2.public, &flip(&rs2, 13, 1)),
        Stage::Signature,
    )?;
    b.bad(
        "signature/rsa-plaintext-bit",
        "Plaintext byte XOR 0x01 (rsv_body_bit).",
        &["PeerObserved"],
        va(&k.rsa2.public, &flip(&rs2, 12, 1)),
        Stage::Signature,
    )?;
    b.bad(
        "key_kind/rsa-ec-public-key",
        "An RSA-signed message with an EC public key (rsv_with_ec_pub).",
        &["PeerObserved"],
        va(&k.a.public, &rs2),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/rsa-type-ec-signed",
        "message_type set to EC_SIGNED, verified with the RSA key (rsv_type_ec_signed).",
        &["PeerObserved"],
        va(&k.rsa2.public, &with_u32(&rs2, 0, EC_SIGNED)),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/rsa-private-key",
        "Verified with the signer's RSA private key.",
        &[],
        va(&k.rsa2.private, &rs2),
        Stage::KeyKind,
    )?;
    b.bad(
        "signature/rsa-wrong-public-key",
        "Verified with an unrelated RSA-2048 key (rsv_wrong_rsa_pub).",
        &["PeerObserved"],
        va(&k.rsa2b.public, &rs2),
        Stage::Signature,
    )?;
    b.bad(
        "signature/rsa1024-message-rsa2048-key",
        "An RSA-1024 signature verified with an RSA-2048 key: the signature is not k bytes.",
        &[],
        va(&k.rsa2.public, &rs),
        Stage::Signature,
    )?;
    b.bad(
        "signature/rsa2048-message-rsa4096-key",
        "An RSA-2048 signature verified with an RSA-4096 key.",
        &[],
        va(&k.rsa4.public, &rs2),
        Stage::Signature,
    )?;
    let (rpt, rsig) = split_signed(&rs);
    b.bad(
        "signature/rsa-signature-truncated-framed",
        "The RSA signature cut by one byte with signature_length updated.",
        &[],
        va(
            &k.rsa1.public,
            &frame_signed(RSA_SIGNED, &rpt, &rsig[..127]),
        ),
        Stage::Signature,
    )?;
    b.bad(
        "signature/rsa-signature-leading-zero-framed",
        "A zero byte prepended to the RSA signature, signature_length updated.",
        &[],
        va(
            &k.rsa1.public,
            &frame_signed(RSA_SIGNED, &rpt, &cat(&[&[0], &rsig])),
        ),
        Stage::Signature,
    )?;
    let pkcs = {
        let key = rsa_private(&k.rsa1.private).ok_or("rsa")?;
        key.sign(
            rsa::Pkcs1v15Sign {
                hash_len: Some(32),
                prefix: unhex("3031300d060960864801650304020105000420").into(),
            },
            &Sha256::digest(&rpt),
        )
        .map_err(|e| format!("step 2: {e}"))?
    };
    b.bad(
        "signature/rsa-pkcs1-v15",
        "A valid RSASSA-PKCS1-v1_5 SHA-256 signature instead of PSS.",
        &[],
        va(&k.rsa1.public, &frame_signed(RSA_SIGNED, &rpt, &pkcs)),
        Stage::Signature,
    )?;
    let sha1pss = {
        let key = rsa_private(&k.rsa1.private).ok_or("rsa")?;
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        key.sign_with_rng(
            &mut rng,
            rsa::Pss::new::<sha1::Sha1>(),
            &sha1::Sha1::digest(&rpt),
        )
        .map_err(|e| format!("step 3: {e}"))?
    };
    b.bad(
        "signature/rsa-pss-sha1",
        "A PSS signature with SHA-1 instead of SHA-256.",
        &[],
        va(&k.rsa1.public, &frame_signed(RSA_SIGNED, &rpt, &sha1pss)),
        Stage::Signature,
    )?;
    b.bad(
        "key/rsa-public-e-5",
        "RSA public key with e = 5.",
        &["RsaExponent", "KeyCheckDeferred"],
        va(
            &{
                let mut x = payload(&k.rsa1.public).to_vec();
                let l = x.len();
                x[l - 4..].copy_from_slice(&5u32.to_be_bytes());
                rebuild(&k.rsa1.public, &x)
            },
            &rs,
        ),
        Stage::Key,
    )?;
    b.bad(
        "signature/rsa-signature-all-ff",
        "The RSA signature replaced by k bytes of ff: a number ≥ n.",
        &[],
        va(
            &k.rsa1.public,
            &frame_signed(RSA_SIGNED, &rpt, &[0xff; 128]),
        ),
        Stage::Signature,
    )?;
    b.bad(
        "signature/rsa-signature-zero",
        "The RSA signature replaced by k zero bytes.",
        &[],
        va(&k.rsa1.public, &frame_signed(RSA_SIGNED, &rpt, &[0; 128])),
        Stage::Signature,
    )?;
    let nbytes = payload(&k.rsa1.public)[..128].to_vec();
    b.bad(
        "signature/rsa-signature-equals-n",
        "The RSA signature replaced by the modulus n itself.",
        &[],
        va(&k.rsa1.public, &frame_signed(RSA_SIGNED, &rpt, &nbytes)),
        Stage::Signature,
    )?;
    Ok(b.done("themis.verify: signed messages from every key type and size, high-S and PSS-salt variants, legacy tails, and every header, length, signature-encoding and key defect (spec §10 sv_*/rsv_*)."))
}

// ---------------------------------------------------------------------------------------
// themis.encrypt
// ---------------------------------------------------------------------------------------

fn ea(private: &[u8], public: &[u8], message: &[u8], random: Option<Value>) -> Value {
    let mut v =
        json!({"private_key": h(private), "peer_public_key": h(public), "message": h(message)});
    if let Some(r) = random {
        v["random"] = r;
    }
    v
}

fn ec_random(g: &mut Gen) -> Value {
    json!({"iv": h(&g.array::<12>())})
}

fn rsa_random(g: &mut Gen) -> Value {
    json!({"iv": h(&g.array::<12>()), "secret": h(&g.bytes(70)), "oaep_seed": h(&g.array::<20>())})
}

fn encrypt_file(g: &mut Gen) -> Result<Generated, String> {
    let k = keys(g)?;
    let mut b = B {
        g,
        op: "themis.encrypt",
        tests: Vec::new(),
    };
    let large: &[&str] = &["Large"];
    for len in [1usize, 2, 100, 1000, 70000] {
        let msg = b.g.bytes(len);
        let r = ec_random(b.g);
        b.valid(
            &format!("valid/ec-p256-{len}-bytes"),
            &format!("EC encryption of {len} bytes with the IV given: exact output."),
            if len == 70000 { large } else { &[] },
            ea(&k.a.private, &k.b.public, &msg, Some(r)),
        )?;
    }
    let msg = b.g.bytes(20);
    let r = ec_random(b.g);
    b.valid(
        "valid/ec-p256-uncompressed-peer-key",
        "The recipient's public key uncompressed.",
        &["UncompressedPublicKey"],
        ea(&k.a.private, &p256_uncompressed(&k.b.public), &msg, Some(r)),
    )?;
    let r = ec_random(b.g);
    b.valid(
        "valid/ec-p256-32-byte-scalar-sender",
        "The sender's key in the 32-byte scalar form.",
        &["Scalar32Bytes"],
        ea(
            &container(b"REC2", &ec_scalar(&k.a.private)),
            &k.b.public,
            &msg,
            Some(r),
        ),
    )?;
    let r = ec_random(b.g);
    b.valid(
        "valid/ec-p256-to-self",
        "Encrypting to one's own public key: the static ECDH secret is d·Q of the same key.",
        &["StaticEcdh"],
        ea(&k.a.private, &k.a.public, &msg, Some(r)),
    )?;
    for (name, p, q) in [("p384", &k.p384, &k.p384b), ("p521", &k.p521, &k.p521b)] {
        for len in [1usize, 100] {
            let msg = b.g.bytes(len);
            let r = ec_random(b.g);
            b.valid(
                &format!("valid/{name}-{len}-bytes"),
                "EC encryption on another curve (the ECDH secret is the whole X coordinate).",
                &["OtherCurves"],
                ea(&p.private, &q.public, &msg, Some(r)),
            )?;
        }
    }
    for (name, s, p, lens) in [
        (
            "rsa1024-to-rsa1024",
            &k.rsa1,
            &k.rsa1b,
            &[1usize, 2, 100, 1000][..],
        ),
        (
            "rsa2048-to-rsa2048",
            &k.rsa2,
            &k.rsa2b,
            &[1, 100, 70000][..],
        ),
        ("rsa2048-to-rsa4096", &k.rsa2, &k.rsa4, &[1, 100][..]),
        ("rsa4096-to-rsa1024", &k.rsa4, &k.rsa1, &[100][..]),
    ] {
        for &len in lens {
            let msg = b.g.bytes(len);
            let r = rsa_random(b.g);
            b.valid(
                &format!("valid/{name}-{len}-bytes"),
                "RSA encryption with IV, secret and OAEP seed given: exact output.",
                if len == 70000 { large } else { &[] },
                ea(&s.private, &p.public, &msg, Some(r)),
            )?;
        }
    }
    // randomised
    let dec = |p: &Pair, q: &Pair| Check::ThemisDecrypt {
        private_key: p.pr(),
        peer_public_key: q.pb(),
    };
    for (name, s, p) in [
        ("ec-p256", &k.a, &k.b),
        ("p384", &k.p384, &k.p384b),
        ("p521", &k.p521, &k.p521b),
        ("rsa1024", &k.rsa1, &k.rsa1b),
        ("rsa2048", &k.rsa2, &k.rsa2b),
    ] {
        for len in [1usize, 300] {
            let msg = b.g.bytes(len);
            let fl: &[&str] = if name.starts_with('p') {
                &["OtherCurves"]
            } else {
                &[]
            };
            b.checked(&format!("randomised/{name}-{len}-bytes"), "Encryption without injected randomness: checked by decrypting with the recipient's keys.", fl, ea(&s.private, &p.public, &msg, None), dec(p, s))?;
        }
    }
    // empty
    for (name, s, p, id) in [
        ("ec", &k.a.private, &k.b.public, "encrypt_empty"),
        ("rsa", &k.rsa2.private, &k.rsa1.public, "encrypt_empty_rsa"),
        (
            "ec-with-broken-keys",
            &flip(&k.a.private, 8, 1),
            &k.a.private,
            "",
        ),
    ] {
        let mut fl = vec!["EmptyMessage"];
        if name.contains("keys") {
            fl.push("EmptyBeforeKey");
        }
        let mut comment =
            "Encrypt an empty message: refused before the keys are looked at.".to_string();
        if !id.is_empty() {
            fl.push("PeerObserved");
            comment.push_str(&format!(" ({id})"));
        }
        b.bad(
            &format!("empty/{name}"),
            &comment,
            &fl,
            ea(s, p, &[], None),
            Stage::Empty,
        )?;
    }
    let msg = b.g.bytes(16);
    let kk: Vec<(&str, &[u8], &[u8], &str)> = vec![
        (
            "ec-public-public",
            &k.a.public,
            &k.b.public,
            "encrypt_pub_pub",
        ),
        (
            "ec-private-private",
            &k.a.private,
            &k.b.private,
            "encrypt_priv_priv",
        ),
        ("ec-swapped", &k.b.public, &k.a.private, ""),
        (
            "ec-private-rsa-public",
            &k.a.private,
            &k.rsa1.public,
            "encrypt_ec_priv_rsa_pub",
        ),
        (
            "rsa-private-ec-public",
            &k.rsa1.private,
            &k.a.public,
            "encrypt_rsa_priv_ec_pub",
        ),
        ("rsa-public-public", &k.rsa1.public, &k.rsa2.public, ""),
        ("rsa-private-private", &k.rsa1.private, &k.rsa2.private, ""),
        ("p256-private-p384-public", &k.a.private, &k.p384.public, ""),
        ("p384-private-p256-public", &k.p384.private, &k.a.public, ""),
        (
            "p521-private-p384-public",
            &k.p521.private,
            &k.p384.public,
            "",
        ),
    ];
    for (name, s, p, id) in kk {
        let mut fl = vec![];
        if !id.is_empty() {
            fl.push("PeerObserved");
        }
        if name.starts_with("p3") || name.starts_with("p5") || name.starts_with("p256") {
            fl.push("MixedCurves");
        }
        let r = if name.starts_with("rsa") {
            rsa_random(b.g)
        } else {
            ec_random(b.g)
        };
        b.bad(
            &format!("key_kind/{name}"),
            &format!("Keys that do not belong together ({name}). {id}"),
            &fl,
            ea(s, p, &msg, Some(r)),
            Stage::KeyKind,
        )?;
    }
    let d = ec_scalar(&k.a.private);
    let unc = payload(&p256_uncompressed(&k.b.public)).to_vec();
    type BadKey<'a> = (&'a str, Vec<u8>, Vec<u8>, Vec<&'a str>);
    let bad_keys: Vec<BadKey> = vec![
        (
            "sender-scalar-zero",
            container(b"REC2", &[0; 33]),
            k.b.public.clone(),
            vec!["KeyCheckDeferred", "PeerObserved"],
        ),
        (
            "sender-pad-01",
            container(b"REC2", &cat(&[&[1], &d])),
            k.b.public.clone(),
            vec!["KeyCheckDeferred"],
        ),
        (
            "sender-crc-flipped",
            flip(&k.a.private, 9, 0x10),
            k.b.public.clone(),
            vec!["KeyChecksum"],
        ),
        (
            "peer-not-on-curve",
            k.a.private.clone(),
            container(b"UEC2", &cat(&[&[2], &[0xff; 32]])),
            vec!["KeyCheckDeferred", "PeerObserved"],
        ),
        (
            "peer-hybrid-point",
            k.a.private.clone(),
            {
                let mut u = unc.clone();
                u[0] = 6 | (u[64] & 1);
                container(b"UEC2", &u)
            },
            vec!["KeyCheckDeferred", "PeerObserved"],
        ),
        (
            "peer-prefix-05",
            k.a.private.clone(),
            {
                let mut u = payload(&k.b.public).to_vec();
                u[0] = 5;
                container(b"UEC2", &u)
            },
            vec!["KeyCheckDeferred", "PeerObserved"],
        ),
        (
            "peer-uncompressed-off-curve",
            k.a.private.clone(),
            {
                let mut u = unc.clone();
                u[64] ^= 1;
                container(b"UEC2", &u)
            },
            vec!["KeyCheckDeferred"],
        ),
        (
            "peer-crc-ieee",
            k.a.private.clone(),
            {
                let mut x = k.b.public.clone();
                x[8..12].fill(0);
                let c = crc32_ieee(&x);
                x[8..12].copy_from_slice(&c.to_le_bytes());
                x
            },
            vec!["KeyChecksum"],
        ),
        (
            "peer-tag-uec3",
            k.a.private.clone(),
            retag(&k.b.public, b"UEC3"),
            vec![],
        ),
    ];
    for (name, s, p, fl) in bad_keys {
        let r = ec_random(b.g);
        let what = match name {
            "sender-scalar-zero" => "the sender's scalar is 0 (encrypt_key_scalar_zero)",
            "sender-pad-01" => "the sender's 33-byte scalar field starts with 01, a scalar ≥ n",
            "sender-crc-flipped" => "a bit of the sender key's CRC flipped",
            "peer-not-on-curve" => {
                "the peer's x = 0xff..ff, not a point (encrypt_pub_not_on_curve)"
            }
            "peer-hybrid-point" => {
                "the peer's point in X9.62 hybrid encoding (encrypt_pub_hybrid_point)"
            }
            "peer-prefix-05" => "the peer's point with prefix 05 (encrypt_pub_bad_prefix)",
            "peer-uncompressed-off-curve" => {
                "the peer's uncompressed point with y's last bit flipped"
            }
            "peer-crc-ieee" => "the peer key's checksum is CRC-32 (IEEE), not CRC-32C",
            _ => "the peer's P-256 point under a P-384 tag",
        };
        b.bad(
            &format!("key/{name}"),
            &format!("A defective key: {what}."),
            &fl,
            ea(&s, &p, &msg, Some(r)),
            Stage::Key,
        )?;
    }
    let r = rsa_random(b.g);
    b.bad(
        "key/rsa-peer-e-5",
        "The recipient's RSA public key has e = 5.",
        &["RsaExponent", "KeyCheckDeferred"],
        ea(
            &k.rsa1.private,
            &{
                let mut x = payload(&k.rsa2.public).to_vec();
                let l = x.len();
                x[l - 4..].copy_from_slice(&5u32.to_be_bytes());
                rebuild(&k.rsa2.public, &x)
            },
            &msg,
            Some(r),
        ),
        Stage::Key,
    )?;
    let r = rsa_random(b.g);
    b.bad(
        "key/rsa-sender-qp-edited",
        "The sender's RSA private key has a wrong qp: validated though unused.",
        &["RsaCrtUnchecked", "RsaAnonymous"],
        ea(
            &{
                let mut x = payload(&k.rsa1.private).to_vec();
                x[128 + 4 * 64] ^= 1;
                rebuild(&k.rsa1.private, &x)
            },
            &k.rsa2.public,
            &msg,
            Some(r),
        ),
        Stage::Key,
    )?;
    Ok(b.done("themis.encrypt: exact outputs with injected randomness (EC: iv; RSA: iv, secret, oaep_seed), randomised outputs checked by decryption, empty messages, key kinds and defective keys."))
}

// ---------------------------------------------------------------------------------------
// themis.decrypt
// ---------------------------------------------------------------------------------------

fn da(private: &[u8], public: &[u8], encrypted: &[u8]) -> Value {
    json!({"private_key": h(private), "peer_public_key": h(public), "encrypted": h(encrypted)})
}

fn encrypted_by(
    b: &mut B<'_>,
    s: &[u8],
    p: &[u8],
    msg: &[u8],
    rsa: bool,
) -> Result<Vec<u8>, String> {
    let r = if rsa { rsa_random(b.g) } else { ec_random(b.g) };
    let v = b.g.ok("themis.encrypt", &ea(s, p, msg, Some(r)))?;
    Ok(unhex(v["encrypted"].as_str().unwrap_or_default()))
}

/// The spec's observation id for an edit of the EC (`ed_*`) or RSA (`rd_*`) base message, if
/// the peer was run on that exact edit: the flags and a comment suffix.
fn observed(tag: &str, ec_id: &str, rsa_id: &str) -> (Vec<&'static str>, String) {
    let id = if tag == "ec" { ec_id } else { rsa_id };
    if id.is_empty() {
        (Vec::new(), String::new())
    } else {
        (vec!["PeerObserved"], format!(" ({id})"))
    }
}

/// Systematic edits of an encrypted message; `c` is the offset of the Secure Cell.
fn encrypted_edits(
    b: &mut B<'_>,
    tag: &str,
    private: &[u8],
    public: &[u8],
    m: &[u8],
    c: usize,
) -> Result<(), String> {
    let args = |x: &[u8]| da(private, public, x);
    let ty = get_u32(m, 0);
    for (what, v) in edits(ty) {
        let (fl, id) = observed(tag, "", "");
        b.bad(
            &format!("header/{tag}-type-{what}"),
            &format!(
                "message_type {ty:#010x} → {v:#010x}: encrypted types are matched exactly{id}."
            ),
            &fl,
            args(&with_u32(m, 0, v)),
            Stage::Header,
        )?;
    }
    let total = get_u32(m, 4);
    for (what, v) in edits(total) {
        let (fl, id) = match what {
            "plus-1" => observed(tag, "ed_len_plus1", "rd_len_plus1"),
            "minus-1" => observed(tag, "ed_len_minus1", ""),
            _ => observed(tag, "", ""),
        };
        b.bad(
            &format!("length/{tag}-total-length-{what}"),
            &format!("total_length {total} → {v}{id}."),
            &fl,
            args(&with_u32(m, 4, v)),
            Stage::Length,
        )?;
    }
    let alg = get_u32(m, c);
    for (what, v) in edits(alg) {
        b.bad(
            &format!("algorithm/{tag}-alg-{what}"),
            &format!("Secure Cell alg {alg:#010x} → {v:#010x}."),
            &[],
            args(&with_u32(m, c, v)),
            Stage::Algorithm,
        )?;
    }
    for (name, v, ec_id) in [
        ("aes128", 0x4001_0080u32, "ed_alg_aes128"),
        ("reserved-bit", 0x4001_1100, "ed_alg_reserved"),
        ("pbkdf2", 0x4101_0100, "ed_alg_pbkdf2"),
        ("ctr", 0x2000_0100, "ed_alg_ctr"),
        ("big-endian", CELL_ALG.swap_bytes(), ""),
    ] {
        let (fl, id) = observed(tag, ec_id, "");
        b.bad(
            &format!("algorithm/{tag}-alg-{name}"),
            &format!("Secure Cell alg {v:#010x} ({name}); Themis fails{id}."),
            &fl,
            args(&with_u32(m, c, v)),
            Stage::Algorithm,
        )?;
    }
    for (field, off, val) in [("iv-length", c + 4, 12u32), ("tag-length", c + 8, 16)] {
        for (what, v) in edits(val) {
            let (fl, id) = match (field, what) {
                ("iv-length", "minus-1") => observed(tag, "ed_ivlen_11", ""),
                ("tag-length", "minus-1") => observed(tag, "ed_taglen_15", ""),
                ("tag-length", "plus-1") => observed(tag, "ed_taglen_17", ""),
                _ => observed(tag, "", ""),
            };
            b.bad(&format!("algorithm/{tag}-{field}-{what}"), &format!("{field} {val} → {v}, nothing else changed: a cipher parameter Themis never writes{id}."), &fl, args(&with_u32(m, off, v)), Stage::Algorithm)?;
        }
    }
    let (fl, id) = observed(tag, "ed_ivlen_16", "");
    b.bad(
        &format!("algorithm/{tag}-iv-length-16"),
        &format!("iv_length 16 with no extra bytes present{id}."),
        &fl,
        args(&with_u32(m, c + 4, 16)),
        Stage::Algorithm,
    )?;
    let n = get_u32(m, c + 12);
    for (what, v) in edits(n) {
        let ec_id = match what {
            "plus-1" => "ed_msglen_plus1",
            "minus-1" => "ed_msglen_minus1",
            "zero" => "ed_msglen_zero",
            _ => "ed_msglen_huge",
        };
        let (fl, id) = observed(tag, ec_id, "");
        b.bad(
            &format!("length/{tag}-cell-message-length-{what}"),
            &format!("Secure Cell message_length {n} → {v}{id}."),
            &fl,
            args(&with_u32(m, c + 12, v)),
            Stage::Length,
        )?;
    }
    let l = m.len();
    let mut cuts = vec![1usize, 3, 4, 7, 8, c, c + 16, c + 44, l - 1];
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts {
        let (fl, id) = match cut {
            7 => observed(tag, "ed_trunc7", ""),
            8 => observed(tag, "ed_trunc8", ""),
            12 => observed(tag, "", "rd_trunc12"),
            x if x == l - 1 => observed(tag, "ed_trunc_last1", "rd_trunc_last1"),
            _ => observed(tag, "", ""),
        };
        b.bad(
            &format!("length/{tag}-truncated-to-{cut}"),
            &format!("Only the first {cut} of {l} bytes{id}."),
            &fl,
            args(&m[..cut]),
            Stage::Length,
        )?;
    }
    let (fl, id) = observed(tag, "ed_trunc_last1_fixlen", "");
    b.bad(
        &format!("length/{tag}-truncated-last-total-fixed"),
        &format!("The last byte removed and total_length fixed: N no longer matches{id}."),
        &fl,
        args(&fix_total(&m[..l - 1])),
        Stage::Length,
    )?;
    let (fl, id) = observed(tag, "ed_append1", "");
    b.bad(
        &format!("length/{tag}-append-1"),
        &format!("One byte appended{id}."),
        &fl,
        args(&cat(&[m, &[0]])),
        Stage::Length,
    )?;
    let (fl, id) = observed(tag, "ed_append1_fixlen", "");
    b.bad(
        &format!("length/{tag}-append-1-total-fixed"),
        &format!("One byte appended with total_length fixed{id}."),
        &fl,
        args(&fix_total(&cat(&[m, &[0]]))),
        Stage::Length,
    )?;
    let both = fix_total(&with_u32(&cat(&[m, &[0]]), c + 12, n + 1));
    b.bad(&format!("authentication/{tag}-append-1-n-and-total-fixed"), "One byte appended with N and total_length both fixed: well framed, but N enters the KDF and the tag fails.", &[], args(&both), Stage::Authentication)?;
    for (field, off, ec_id, rsa_id) in [
        ("iv-first", c + 16, "ed_iv_bit", ""),
        ("iv-last", c + 27, "", ""),
        ("tag-first", c + 28, "ed_tag_bit", "rd_cell_tag_bit"),
        ("tag-last", c + 43, "", ""),
        ("ciphertext-first", c + 44, "ed_ct_bit", "rd_cell_ct_bit"),
        ("ciphertext-last", l - 1, "ed_ct_bit_last", ""),
    ] {
        let (fl, id) = observed(tag, ec_id, rsa_id);
        b.bad(
            &format!("authentication/{tag}-{field}-bit"),
            &format!("{field} byte XOR 0x01{id}."),
            &fl,
            args(&flip(m, off, 1)),
            Stage::Authentication,
        )?;
    }
    let junk = b.g.bytes(5);
    let (mut fl, id) = observed(tag, "ed_junk_after_tag", "");
    fl.push("CellJunkAfterTag");
    b.lenient(
        &format!("length/{tag}-junk-after-tag"),
        &format!("5 junk bytes between the tag and the ciphertext, total_length fixed{id}."),
        &fl,
        args(&fix_total(&insert(m, c + 44, &junk))),
        Stage::Length,
    )?;
    let iv16 = fix_total(&with_u32(&insert(m, c + 28, &junk[..4]), c + 4, 16));
    let (mut fl, id) = observed(tag, "ed_ivlen16_with_junk", "");
    fl.push("CellLongerIv");
    b.lenient(
        &format!("algorithm/{tag}-iv-length-16-with-junk"),
        &format!("iv_length 16 and 4 junk bytes after the 12-byte IV, total_length fixed{id}."),
        &fl,
        args(&iv16),
        Stage::Algorithm,
    )?;
    let tag20 = fix_total(&with_u32(&insert(m, c + 44, &junk[..4]), c + 8, 20));
    let (mut fl, id) = observed(tag, "ed_taglen20_with_junk", "");
    fl.push("CellLongerTag");
    b.lenient(
        &format!("algorithm/{tag}-tag-length-20-with-junk"),
        &format!(
            "auth_tag_length 20 and 4 junk bytes after the 16-byte tag, total_length fixed{id}."
        ),
        &fl,
        args(&tag20),
        Stage::Algorithm,
    )?;
    let tag17 = fix_total(&with_u32(&insert(m, c + 44, &junk[..1]), c + 8, 17));
    b.lenient(
        &format!("algorithm/{tag}-tag-length-17-with-junk"),
        "auth_tag_length 17 and 1 junk byte after the tag.",
        &["CellLongerTag"],
        args(&tag17),
        Stage::Algorithm,
    )?;
    let iv13 = fix_total(&with_u32(&insert(m, c + 28, &junk[..1]), c + 4, 13));
    b.lenient(
        &format!("algorithm/{tag}-iv-length-13-with-junk"),
        "iv_length 13 and 1 junk byte after the IV.",
        &["CellLongerIv"],
        args(&iv13),
        Stage::Algorithm,
    )?;
    let ivhuge = fix_total(&with_u32(&insert(m, c + 28, &junk[..4]), c + 4, u32::MAX));
    b.bad(
        &format!("algorithm/{tag}-iv-length-huge-with-junk"),
        "iv_length 0xffffffff with 4 junk bytes: more than the cell holds.",
        &[],
        args(&ivhuge),
        Stage::Algorithm,
    )?;
    let iv11 = fix_total(&with_u32(&cat(&[&m[..c + 27], &m[c + 28..]]), c + 4, 11));
    b.bad(&format!("algorithm/{tag}-iv-length-11-consistent"), "iv_length 11 with an 11-byte IV: consistent framing, a shorter IV than GCM-96 (Themis requires ≥ 12).", &[], args(&iv11), Stage::Algorithm)?;
    let t8 = fix_total(&with_u32(&cat(&[&m[..c + 36], &m[c + 44..]]), c + 8, 8));
    b.bad(&format!("algorithm/{tag}-tag-length-8-consistent"), "auth_tag_length 8 with the tag cut to 8 bytes: consistent framing, a truncated GCM tag (Themis requires ≥ 16).", &[], args(&t8), Stage::Algorithm)?;
    Ok(())
}

fn decrypt_file(g: &mut Gen) -> Result<Generated, String> {
    let k = keys(g)?;
    let mut b = B {
        g,
        op: "themis.decrypt",
        tests: Vec::new(),
    };
    let (a, bb) = (&k.a, &k.b);
    for len in [1usize, 2, 100, 1000, 70000] {
        let msg = b.g.bytes(len);
        let e = encrypted_by(&mut b, &a.private, &bb.public, &msg, false)?;
        b.valid(
            &format!("valid/ec-p256-{len}-bytes"),
            &format!("An EC encrypted message of {len} bytes."),
            if len == 70000 { &["Large"] } else { &[] },
            da(&bb.private, &a.public, &e),
        )?;
    }
    let msg = b.g.bytes(100);
    let ec = encrypted_by(&mut b, &a.private, &bb.public, &msg, false)?;
    b.valid(
        "valid/ec-base-100",
        "The unmodified 100-byte EC message the edits below start from (ed_ok).",
        &["PeerObserved"],
        da(&bb.private, &a.public, &ec),
    )?;
    b.valid(
        "valid/ec-sender-side",
        "Decrypted by the sender with (sender private, recipient public) (ed_ok_sender_side).",
        &["StaticEcdh", "PeerObserved"],
        da(&a.private, &bb.public, &ec),
    )?;
    b.valid(
        "valid/ec-uncompressed-peer-key",
        "Decrypted with the sender's public key uncompressed.",
        &["UncompressedPublicKey"],
        da(&bb.private, &p256_uncompressed(&a.public), &ec),
    )?;
    b.valid(
        "valid/ec-32-byte-scalar-recipient",
        "Decrypted with the recipient key in the 32-byte scalar form.",
        &["Scalar32Bytes"],
        da(&container(b"REC2", &ec_scalar(&bb.private)), &a.public, &ec),
    )?;
    for (name, p, q) in [("p384", &k.p384, &k.p384b), ("p521", &k.p521, &k.p521b)] {
        for len in [1usize, 100] {
            let msg = b.g.bytes(len);
            let e = encrypted_by(&mut b, &p.private, &q.public, &msg, false)?;
            b.valid(
                &format!("valid/{name}-{len}-bytes"),
                "An EC message on another curve.",
                &["OtherCurves"],
                da(&q.private, &p.public, &e),
            )?;
        }
    }
    for (name, s, p, lens) in [
        ("rsa1024", &k.rsa1b, &k.rsa1, &[1usize, 2, 100, 1000][..]),
        ("rsa2048", &k.rsa2b, &k.rsa2, &[1, 100, 70000][..]),
        ("rsa4096", &k.rsa2, &k.rsa4, &[1, 100][..]),
    ] {
        for &len in lens {
            let msg = b.g.bytes(len);
            let e = encrypted_by(&mut b, &s.private, &p.public, &msg, true)?;
            b.valid(
                &format!("valid/{name}-{len}-bytes"),
                "An RSA encrypted message.",
                if len == 70000 { &["Large"] } else { &[] },
                da(&p.private, &s.public, &e),
            )?;
        }
    }
    let msg = b.g.bytes(100);
    let rs = encrypted_by(&mut b, &k.rsa2b.private, &k.rsa2.public, &msg, true)?;
    b.valid(
        "valid/rsa-base-100",
        "The unmodified RSA-2048 message the edits below start from (rd_ok).",
        &["PeerObserved"],
        da(&k.rsa2.private, &k.rsa2b.public, &rs),
    )?;
    b.valid(
        "valid/rsa-unrelated-public-key",
        "Decrypted with an unrelated RSA public key argument: RSA decryption ignores it.",
        &["RsaAnonymous"],
        da(&k.rsa2.private, &k.rsa4.public, &rs),
    )?;
    b.valid(
        "valid/rsa-own-public-key",
        "Decrypted with the recipient's own public key as the peer key.",
        &["RsaAnonymous"],
        da(&k.rsa2.private, &k.rsa2.public, &rs),
    )?;
    let msg1 = b.g.bytes(100);
    let rs1 = encrypted_by(&mut b, &k.rsa1b.private, &k.rsa1.public, &msg1, true)?;

    // EC edits
    b.bad(
        "empty/zero-bytes",
        "An empty input (ed_empty).",
        &["EmptyMessage", "PeerObserved"],
        da(&bb.private, &a.public, &[]),
        Stage::Empty,
    )?;
    encrypted_edits(&mut b, "ec", &bb.private, &a.public, &ec, 8)?;
    encrypted_edits(
        &mut b,
        "rsa",
        &k.rsa2.private,
        &k.rsa2b.public,
        &rs,
        12 + 256,
    )?;
    let rargs = |x: &[u8]| da(&k.rsa2.private, &k.rsa2b.public, x);
    let wl = get_u32(&rs, 8);
    for (what, v) in edits(wl) {
        b.bad(&format!("length/rsa-encrypted-key-length-{what}"), &format!("encrypted_key_length {wl} → {v}: must be the recipient's modulus length (rd_pwlen_*)."), &["PeerObserved"], rargs(&with_u32(&rs, 8, v)), Stage::Length)?;
    }
    b.bad(
        "length/rsa-truncated-to-12",
        "Only the first 12 bytes (rd_trunc12).",
        &["PeerObserved"],
        rargs(&rs[..12]),
        Stage::Length,
    )?;
    b.bad(
        "authentication/rsa-oaep-first-bit",
        "RSA-OAEP ciphertext byte 0 XOR 0x01 (rd_oaep_bit).",
        &["PeerObserved"],
        rargs(&flip(&rs, 12, 1)),
        Stage::Authentication,
    )?;
    b.bad(
        "authentication/rsa-oaep-last-bit",
        "Last RSA-OAEP ciphertext byte XOR 0x01.",
        &[],
        rargs(&flip(&rs, 12 + 255, 1)),
        Stage::Authentication,
    )?;
    b.bad(
        "authentication/rsa-wrong-private-key",
        "Decrypted with an unrelated RSA-2048 private key (rd_wrong_priv).",
        &["PeerObserved"],
        da(&k.rsa2b.private, &k.rsa2b.public, &rs),
        Stage::Authentication,
    )?;
    b.bad("length/rsa1024-private-on-rsa2048-message", "An RSA-2048 message decrypted with an RSA-1024 key: encrypted_key_length is not its modulus length.", &[], da(&k.rsa1.private, &k.rsa2b.public, &rs), Stage::Length)?;
    b.bad(
        "length/rsa4096-private-on-rsa1024-message",
        "An RSA-1024 message decrypted with an RSA-4096 key.",
        &[],
        da(&k.rsa4.private, &k.rsa1b.public, &rs1),
        Stage::Length,
    )?;
    b.bad(
        "key_kind/rsa-message-ec-keys",
        "An RSA message with EC keys (rd_ec_keys).",
        &["PeerObserved"],
        da(&bb.private, &a.public, &rs),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/rsa-type-ec-encrypted",
        "message_type set to EC_ENCRYPTED, RSA keys (rd_type_ec).",
        &["PeerObserved"],
        rargs(&with_u32(&rs, 0, EC_ENCRYPTED)),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-type-rsa-encrypted",
        "message_type set to RSA_ENCRYPTED, EC keys (ed_type_rsa_enc).",
        &["PeerObserved"],
        da(&bb.private, &a.public, &with_u32(&ec, 0, RSA_ENCRYPTED)),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-message-rsa-keys",
        "An EC message with an RSA key pair (ed_rsa_keys).",
        &["PeerObserved"],
        da(&k.rsa2.private, &k.rsa2b.public, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-swapped-keys",
        "Private and public arguments swapped (ed_swapped_key_kinds).",
        &["PeerObserved"],
        da(&a.public, &bb.private, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-public-public",
        "Two public keys.",
        &[],
        da(&bb.public, &a.public, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-private-private",
        "Two private keys.",
        &[],
        da(&bb.private, &a.private, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-private-rsa-public",
        "EC private key with an RSA public key.",
        &[],
        da(&bb.private, &k.rsa2.public, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "key_kind/ec-mixed-curves",
        "A P-256 private key with a P-384 public key.",
        &["MixedCurves"],
        da(&bb.private, &k.p384.public, &ec),
        Stage::KeyKind,
    )?;
    b.bad(
        "header/ec-signed-type",
        "message_type set to EC_SIGNED (ed_type_ec_signed).",
        &["PeerObserved"],
        da(&bb.private, &a.public, &with_u32(&ec, 0, EC_SIGNED)),
        Stage::Header,
    )?;
    let signed = signed_by(&mut b, &a.private, &msg)?;
    b.bad(
        "header/ec-signed-message-given",
        "An EC signed message given to decrypt (ed_signed_input).",
        &["PeerObserved"],
        da(&bb.private, &a.public, &signed),
        Stage::Header,
    )?;
    b.bad("header/ec-type-low-byte-21", "message_type 0x26042721 (ed_type_b0_bit0): encrypted types are matched exactly, by Themis too.", &["PeerObserved"], da(&bb.private, &a.public, &with_u32(&ec, 0, 0x2604_2721)), Stage::Header)?;
    b.bad(
        "authentication/ec-wrong-sender-key",
        "Decrypted with an unrelated sender public key (ed_wrong_sender_pub).",
        &["PeerObserved"],
        da(&bb.private, &k.c.public, &ec),
        Stage::Authentication,
    )?;
    b.bad(
        "authentication/ec-wrong-recipient-key",
        "Decrypted with an unrelated recipient private key (ed_wrong_recipient_priv).",
        &["PeerObserved"],
        da(&k.c.private, &a.public, &ec),
        Stage::Authentication,
    )?;
    let mut par = payload(&a.public).to_vec();
    par[0] ^= 1;
    b.valid("valid/ec-sender-key-other-parity", "The sender's point negated (02 ↔ 03): d·(−Q) = −(d·Q) has the same X coordinate, so the ECDH secret and the message are unchanged.", &["CompressedParity"], da(&bb.private, &container(b"UEC2", &par), &ec))?;
    for (name, key, fl) in [
        (
            "recipient-crc-flipped",
            flip(&bb.private, 10, 4),
            vec!["KeyChecksum"],
        ),
        (
            "recipient-scalar-zero",
            container(b"REC2", &[0; 33]),
            vec!["KeyCheckDeferred"],
        ),
        (
            "recipient-scalar-n",
            container(b"REC2", &cat(&[&[0], &unhex(N_P256)])),
            vec!["KeyCheckDeferred"],
        ),
    ] {
        b.bad(
            &format!("key/{name}"),
            "A defective recipient key.",
            &fl,
            da(&key, &a.public, &ec),
            Stage::Key,
        )?;
    }
    for (name, key, fl) in [
        (
            "sender-not-on-curve",
            container(b"UEC2", &cat(&[&[3], &[0xff; 32]])),
            vec!["KeyCheckDeferred"],
        ),
        (
            "sender-size-plus-1",
            {
                let mut x = a.public.clone();
                x[7] += 1;
                refix_crc(&mut x);
                x
            },
            vec![],
        ),
        ("sender-tag-rec2", retag(&a.public, b"REC2"), vec![]),
    ] {
        b.bad(
            &format!("key/{name}"),
            "A defective sender key.",
            &fl,
            da(&bb.private, &key, &ec),
            Stage::Key,
        )?;
    }
    // crafted cells
    let shared = p256_ecdh(&a.private, &bb.public);
    let iv = b.g.array::<12>();
    let empty = ec_encrypted(&cell(&shared, &iv, &[]));
    b.bad("empty/ec-crafted-n-0", "A cryptographically valid EC message with N = 0 (GCM tag of the empty string under the KDF key for length 0).", &["EmptyMessage"], da(&bb.private, &a.public, &empty), Stage::Empty)?;
    let compat = ec_encrypted(&cell_with_context(
        &shared,
        &iv,
        &msg[..10],
        &10u64.to_le_bytes(),
    ));
    b.bad(
        "authentication/ec-compat-096-kdf",
        "A cell keyed with the 0.9.6 compatibility KDF (64-bit length context).",
        &["Compat096Kdf"],
        da(&bb.private, &a.public, &compat),
        Stage::Authentication,
    )?;
    let hand = ec_encrypted(&cell(&shared, &iv, &msg[..10]));
    b.valid("valid/ec-built-independently", "A message built here from the spec (ECDH, KDF, AES-256-GCM), not by the reference encoder.", &[], da(&bb.private, &a.public, &hand))?;
    let nokdf = {
        let cipher =
            aes_gcm::Aes256Gcm::new_from_slice(&shared).map_err(|e| format!("step 4: {e}"))?;
        let mut body = msg[..10].to_vec();
        let t = cipher
            .encrypt_in_place_detached(aes_gcm::Nonce::from_slice(&iv), &[], &mut body)
            .map_err(|e| format!("step 5: {e}"))?;
        ec_encrypted(&cat(&[
            &CELL_ALG.to_le_bytes(),
            &12u32.to_le_bytes(),
            &16u32.to_le_bytes(),
            &10u32.to_le_bytes(),
            &iv,
            &t,
            &body,
        ]))
    };
    b.bad(
        "authentication/ec-no-kdf",
        "The ECDH secret used directly as the AES key (no Soter KDF).",
        &[],
        da(&bb.private, &a.public, &nokdf),
        Stage::Authentication,
    )?;
    // RSA crafted
    let rkey = rsa_public(&k.rsa1.public).ok_or("rsa pub")?;
    let mut rng = ChaCha20Rng::seed_from_u64(b.g.seed ^ 0x0aea);
    let secret = b.g.bytes(86);
    for (len, stage_ok) in [
        (70usize, true),
        (69, false),
        (71, false),
        (32, false),
        (86, false),
    ] {
        let wrapped = rkey
            .encrypt(&mut rng, rsa::Oaep::new::<sha1::Sha1>(), &secret[..len])
            .map_err(|e| format!("step 6: {e}"))?;
        let m = rsa_encrypted(&wrapped, &cell(&secret[..len], &iv, &msg[..10]));
        let args = da(&k.rsa1.private, &k.rsa1b.public, &m);
        if stage_ok {
            b.valid("valid/rsa-built-independently", "An RSA message built here from the spec (OAEP-SHA1 of a 70-byte secret, KDF, AES-256-GCM).", &[], args)?;
        } else {
            b.lenient(&format!("authentication/rsa-secret-{len}-bytes"), &format!("The OAEP payload is a {len}-byte secret, and the cell is keyed with it: only the secret's length differs from what Themis writes."), &["RsaSecretLength"], args, Stage::Authentication)?;
        }
    }
    let wrapped = rkey
        .encrypt(&mut rng, rsa::Oaep::new::<sha1::Sha1>(), &secret[..70])
        .map_err(|e| format!("step 7: {e}"))?;
    let m = rsa_encrypted(&wrapped, &cell(&secret[..70], &iv, &[]));
    b.bad(
        "empty/rsa-crafted-n-0",
        "A cryptographically valid RSA message with N = 0.",
        &["EmptyMessage"],
        da(&k.rsa1.private, &k.rsa1b.public, &m),
        Stage::Empty,
    )?;
    let rkey2 = rsa_public(&k.rsa2.public).ok_or("rsa2 pub")?;
    let sha256 = rkey2
        .encrypt(&mut rng, rsa::Oaep::new::<Sha256>(), &secret[..70])
        .map_err(|e| format!("step 8: {e}"))?;
    b.bad(
        "authentication/rsa-oaep-sha256",
        "The secret wrapped (RSA-2048) with OAEP-SHA256 instead of SHA-1.",
        &[],
        da(
            &k.rsa2.private,
            &k.rsa2b.public,
            &rsa_encrypted(&sha256, &cell(&secret[..70], &iv, &msg[..10])),
        ),
        Stage::Authentication,
    )?;
    let pkcs = rkey
        .encrypt(&mut rng, rsa::Pkcs1v15Encrypt, &secret[..70])
        .map_err(|e| format!("step 9: {e}"))?;
    b.bad(
        "authentication/rsa-pkcs1-v15",
        "The secret wrapped with PKCS#1 v1.5 instead of OAEP.",
        &[],
        da(
            &k.rsa1.private,
            &k.rsa1b.public,
            &rsa_encrypted(&pkcs, &cell(&secret[..70], &iv, &msg[..10])),
        ),
        Stage::Authentication,
    )?;
    Ok(b.done("themis.decrypt: EC and RSA encrypted messages of every size and curve, and every header, Secure Cell, length, key and cryptographic defect (spec §10 ed_*/rd_*)."))
}

// ---------------------------------------------------------------------------------------
// Accumulated cases
// ---------------------------------------------------------------------------------------

struct AccKeys {
    a: Pair,
    b: Pair,
    rsa: Option<Pair>,
    /// (plaintext, signed) made with `a`, to mutate without signing each time.
    signed: Vec<(Vec<u8>, Vec<u8>)>,
}

fn acc_keys() -> &'static AccKeys {
    static KEYS: OnceLock<AccKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0x007e_57ac);
        let (ap, aq) = crate::themis::generate_ec_keypair(&mut rng);
        let (bp, bq) = crate::themis::generate_ec_keypair(&mut rng);
        let rsa = upstream_pair("pythemis_rsa1024_priv", "pythemis_rsa1024_pub").ok();
        let a = Pair {
            private: ap,
            public: aq,
        };
        let mut signed = Vec::new();
        for len in [1usize, 2, 17, 64, 200] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            if let Ok(s) = crate::themis::sign(&a.private, &msg, &mut rng) {
                signed.push((msg, s));
            }
        }
        AccKeys {
            a,
            b: Pair {
                private: bp,
                public: bq,
            },
            rsa,
            signed,
        }
    })
}

/// One mutation of a byte string: a bit flip, a truncation, an extension or a u32 edit.
fn mutate(g: &mut Gen, x: &[u8], words: &[usize]) -> Vec<u8> {
    let l = x.len() as u64;
    match g.below(6) {
        0 => {
            let at = g.below(l) as usize;
            flip(x, at, 1u8 << g.below(8))
        }
        1 => x[..g.below(l) as usize].to_vec(),
        2 => {
            let n = 1 + g.below(8) as usize;
            cat(&[x, &g.bytes(n)])
        }
        3 | 4 if !words.is_empty() => {
            let off = words[g.below(words.len() as u64) as usize];
            let v = get_u32(x, off);
            let nv = match g.below(5) {
                0 => v.wrapping_add(1),
                1 => v.wrapping_sub(1),
                2 => 0,
                3 => u32::MAX,
                _ => v ^ (1 << g.below(32)),
            };
            with_u32(x, off, nv)
        }
        _ => {
            let at = g.below(l) as usize;
            flip(x, at, 0xff)
        }
    }
}

/// A key defect: CRC, size, tag, scalar/point, or the wrong kind.
fn key_defect(g: &mut Gen, key: &[u8], other: &[u8]) -> Vec<u8> {
    match g.below(6) {
        0 => flip(key, 8 + g.below(4) as usize, 1),
        1 => {
            let mut x = key.to_vec();
            if x.len() >= 8 {
                x[7] = x[7].wrapping_add(1);
            }
            refix_crc(&mut x);
            x
        }
        2 => {
            let mut t: [u8; 4] = key
                .get(..4)
                .and_then(|t| t.try_into().ok())
                .unwrap_or(*b"XXXX");
            t[g.below(4) as usize] ^= 1;
            retag(key, &t)
        }
        3 => {
            let mut p = payload(key).to_vec();
            let l = p.len();
            if l > 1 {
                p[1..].fill(0xff);
            }
            rebuild(key, &p)
        }
        4 => other.to_vec(),
        _ => key[..key.len().saturating_sub(1 + g.below(4) as usize)].to_vec(),
    }
}

/// One deterministic pseudo-random case of `op` drawn from `g`: about 60% well-formed inputs,
/// the rest a single mutation (bit flip, truncation, extension, length or type edit, key
/// defect). Cheap: P-256 keys made once, an RSA-1024 key about one case in 25.
// Wired into the accumulated vectors by the corpus owner; until then only the tests call it.
pub fn accumulated_args(g: &mut Gen, op: &str) -> Result<Value, String> {
    let k = acc_keys();
    let well = g.below(10) < 6;
    let use_rsa = k.rsa.is_some() && g.below(25) == 0;
    let (own, peer) = match (&k.rsa, use_rsa) {
        (Some(r), true) => (r, r),
        _ => (&k.a, &k.b),
    };
    let bound = if g.below(8) == 0 { 2000 } else { 120 };
    let len = 1 + g.below(bound) as usize;
    let message = g.bytes(len);
    Ok(match op {
        "themis.key.check" => {
            let key = match g.below(4) {
                0 => &own.private,
                1 => &own.public,
                2 => &peer.private,
                _ => &peer.public,
            };
            let key = if well {
                key.clone()
            } else if g.below(2) == 0 {
                key_defect(g, key, &[])
            } else {
                let mut x = mutate(g, key, &[]);
                if g.below(2) == 0 && x.len() >= 12 {
                    refix_crc(&mut x);
                }
                x
            };
            kc(&key)
        }
        "themis.sign" => {
            if well {
                sign_args(&own.private, &message)
            } else if g.below(5) == 0 {
                sign_args(&own.private, &[])
            } else {
                sign_args(&key_defect(g, &own.private, &own.public), &message)
            }
        }
        "themis.verify" => {
            let (public, signed) = if use_rsa {
                let s = crate::themis::sign(&own.private, &message, g.rng())
                    .map_err(|e| format!("step 10: {e}"))?;
                (own.public.clone(), s)
            } else {
                let i = g.below(k.signed.len() as u64) as usize;
                let s = k.signed.get(i).map(|x| x.1.clone()).unwrap_or_default();
                (k.a.public.clone(), s)
            };
            if well {
                va(&public, &signed)
            } else if g.below(5) == 0 {
                va(&key_defect(g, &public, &k.a.private), &signed)
            } else {
                va(&public, &mutate(g, &signed, &[0, 4, 8]))
            }
        }
        "themis.encrypt" => {
            let random = if use_rsa { rsa_random(g) } else { ec_random(g) };
            if well {
                ea(&own.private, &peer.public, &message, Some(random))
            } else {
                match g.below(4) {
                    0 => ea(&own.private, &peer.public, &[], Some(random)),
                    1 => ea(
                        &key_defect(g, &own.private, &peer.public),
                        &peer.public,
                        &message,
                        Some(random),
                    ),
                    2 => ea(
                        &own.private,
                        &key_defect(g, &peer.public, &own.private),
                        &message,
                        Some(random),
                    ),
                    _ => ea(&peer.public, &own.private, &message, Some(random)),
                }
            }
        }
        "themis.decrypt" => {
            let random = if use_rsa { rsa_random(g) } else { ec_random(g) };
            let enc = g.ok(
                "themis.encrypt",
                &ea(&own.private, &peer.public, &message, Some(random)),
            )?;
            let enc = unhex(enc["encrypted"].as_str().unwrap_or_default());
            if well {
                da(&peer.private, &own.public, &enc)
            } else if g.below(6) == 0 {
                da(
                    &key_defect(g, &peer.private, &peer.public),
                    &own.public,
                    &enc,
                )
            } else {
                let c = if use_rsa { 12 + 128 } else { 8 };
                let mut words = vec![0, 4, c, c + 4, c + 8, c + 12];
                if use_rsa {
                    words.push(8);
                }
                let mut m = mutate(g, &enc, &words);
                if g.below(3) == 0 {
                    m = fix_total(&m);
                }
                da(&peer.private, &own.public, &m)
            }
        }
        _ => return Err(format!("unknown op {op}")),
    })
}

// ---------------------------------------------------------------------------------------
// User-requested cases (kept API)
// ---------------------------------------------------------------------------------------

/// The public key container that belongs to a private one (hex in, hex out).
pub fn public_for(private_hex: &str) -> Result<String, String> {
    let private = hex::decode(private_hex).map_err(|e| format!("step 11: {e}"))?;
    crate::themis::public_key_for(&private)
        .map(hex::encode)
        .map_err(|e| format!("step 12: {e}"))
}

/// Random, well-formed args for `op`, for user-requested vectors (EC P-256 keys).
pub fn random_args(g: &mut Gen, op: &str) -> Result<serde_json::Value, String> {
    let (a_priv, a_pub) = crate::themis::generate_ec_keypair(g.rng());
    let (b_priv, b_pub) = crate::themis::generate_ec_keypair(g.rng());
    let len = 1 + g.below(200) as usize;
    let message = hex::encode(g.bytes(len));
    Ok(match op {
        "themis.key.check" => {
            json!({"key": hex::encode(if g.below(2) == 0 { &a_priv } else { &a_pub })})
        }
        "themis.sign" => json!({"private_key": hex::encode(&a_priv), "message": message}),
        "themis.verify" => {
            let signed = g.ok(
                "themis.sign",
                &json!({"private_key": hex::encode(&a_priv), "message": message}),
            )?["signed"]
                .clone();
            json!({"public_key": hex::encode(&a_pub), "signed": signed})
        }
        "themis.encrypt" => {
            json!({"private_key": hex::encode(&a_priv), "peer_public_key": hex::encode(&b_pub), "message": message,
                                    "random": {"iv": hex::encode(g.array::<12>())}})
        }
        "themis.decrypt" => {
            let iv = hex::encode(g.array::<12>());
            let enc = g.ok("themis.encrypt", &json!({"private_key": hex::encode(&a_priv), "peer_public_key": hex::encode(&b_pub), "message": message,
                                                    "random": {"iv": iv}}))?["encrypted"].clone();
            json!({"private_key": hex::encode(&b_priv), "peer_public_key": hex::encode(&a_pub), "encrypted": enc})
        }
        _ => return Err(format!("unknown op {op}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Reply;

    #[test]
    fn accumulated_cases_are_deterministic_mixed_and_cheap() {
        for op in [
            "themis.key.check",
            "themis.sign",
            "themis.verify",
            "themis.encrypt",
            "themis.decrypt",
        ] {
            let mut g1 = Gen::new(11);
            let mut g2 = Gen::new(11);
            let (mut ok, mut rejected) = (0, 0);
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..300 {
                let t = std::time::Instant::now();
                let a = accumulated_args(&mut g1, op).unwrap();
                spent += t.elapsed();
                assert_eq!(a, accumulated_args(&mut g2, op).unwrap());
                match g1.answer(op, &a) {
                    Reply::Ok(_) => ok += 1,
                    Reply::Error { stage: Some(_), .. } => rejected += 1,
                    other => panic!("{op}: {a}: no stage: {other:?}"),
                }
            }
            eprintln!(
                "{op}: {ok} accepted, {rejected} rejected, {:?} per case",
                spent / 300
            );
            assert!(
                ok > 120 && rejected > 60,
                "{op}: {ok} accepted, {rejected} rejected"
            );
        }
    }
}
