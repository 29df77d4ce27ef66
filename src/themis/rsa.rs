//! RSA for Secure Message: PSS-SHA256 signatures (max salt, any salt verifies) and
//! OAEP-SHA1 wrapping of the Secure Cell secret with an injectable seed (spec §3.2, §5).

use super::error::ThemisError;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Oaep, Pss, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// MGF1 (RFC 8017 B.2.1) with hash `D`.
fn mgf1<D: Digest>(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut h = D::new();
        h.update(seed);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

fn xor_in_place(target: &mut [u8], mask: &[u8]) {
    for (t, m) in target.iter_mut().zip(mask) {
        *t ^= m;
    }
}

/// I2OSP: big-endian, left-padded to `len`; `None` if it does not fit.
fn i2osp(x: &BigUint, len: usize) -> Option<Vec<u8>> {
    let raw = x.to_bytes_be();
    let pad = len.checked_sub(raw.len())?;
    let mut out = vec![0u8; pad];
    out.extend_from_slice(&raw);
    Some(out)
}

/// Encoded-message length for PSS: ceil((modBits - 1) / 8).
fn pss_em_len(n: &BigUint) -> usize {
    let em_bits = n.bits().saturating_sub(1);
    em_bits.div_ceil(8)
}

/// RSASSA-PSS with SHA-256, MGF1-SHA-256 and the largest salt (OpenSSL's salt length -2,
/// what Themis signs with); the salt is drawn from `rng`.
pub fn pss_sign(
    key: &RsaPrivateKey,
    message: &[u8],
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<Vec<u8>, ThemisError> {
    let digest = Sha256::digest(message);
    let salt_len = pss_em_len(key.n())
        .checked_sub(32 + 2)
        .ok_or(ThemisError::KeyRsa(
            "the modulus is too small for PSS-SHA256",
        ))?;
    let mut rng = rng;
    key.sign_with_rng(&mut rng, Pss::new_with_salt::<Sha256>(salt_len), &digest)
        .map_err(|_| ThemisError::KeyRsa("the RSA private operation failed"))
}

/// RSASSA-PSS verification with SHA-256, MGF1-SHA-256 and the salt length recovered from
/// the encoding, as OpenSSL's salt length -2 does on verification, so any salt verifies.
pub fn pss_verify(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), ThemisError> {
    let k = key.size();
    if signature.len() != k {
        return Err(ThemisError::SignatureEncoding(
            "an RSA signature must be exactly as long as the modulus",
        ));
    }
    let s = BigUint::from_bytes_be(signature);
    if &s >= key.n() {
        return Err(ThemisError::SignatureEncoding(
            "the signature is not below the modulus",
        ));
    }
    let m = s.modpow(key.e(), key.n());
    let em_bits = key.n().bits().saturating_sub(1);
    let em_len = pss_em_len(key.n());
    let em = i2osp(&m, em_len).ok_or(ThemisError::SignatureMismatch)?;
    let h_len = 32;
    let db_len = em_len
        .checked_sub(h_len + 1)
        .ok_or(ThemisError::SignatureMismatch)?;
    let (masked_db, rest) = em
        .split_at_checked(db_len)
        .ok_or(ThemisError::SignatureMismatch)?;
    let (h, trailer) = rest
        .split_at_checked(h_len)
        .ok_or(ThemisError::SignatureMismatch)?;
    if trailer != [0xbc] {
        return Err(ThemisError::SignatureMismatch);
    }
    // The bits above emBits must be zero.
    let unused_bits = em_len.saturating_mul(8).saturating_sub(em_bits);
    let top_mask = 0xffu8
        .checked_shr(u32::try_from(unused_bits).unwrap_or(8))
        .unwrap_or(0);
    if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
        return Err(ThemisError::SignatureMismatch);
    }
    let mut db = masked_db.to_vec();
    xor_in_place(&mut db, &mgf1::<Sha256>(h, db_len));
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // DB = zeros ‖ 01 ‖ salt, with the salt length unknown in advance.
    let one = db
        .iter()
        .position(|&b| b != 0)
        .ok_or(ThemisError::SignatureMismatch)?;
    if db.get(one) != Some(&1) {
        return Err(ThemisError::SignatureMismatch);
    }
    let salt = db.get(one + 1..).unwrap_or(&[]);
    let mut hasher = Sha256::new();
    hasher.update([0u8; 8]);
    hasher.update(Sha256::digest(message));
    hasher.update(salt);
    if hasher.finalize().as_slice() == h {
        Ok(())
    } else {
        Err(ThemisError::SignatureMismatch)
    }
}

/// RSAES-OAEP encryption (SHA-1, MGF1-SHA-1, empty label) with a given seed, so output is
/// reproducible; EME-OAEP encoding is done here over the raw public operation.
pub fn oaep_encrypt(
    key: &RsaPublicKey,
    message: &[u8],
    seed: &[u8; 20],
) -> Result<Vec<u8>, ThemisError> {
    let k = key.size();
    let h_len = 20;
    let ps_len = k
        .checked_sub(message.len() + 2 * h_len + 2)
        .ok_or(ThemisError::KeyRsa(
            "the modulus is too small to wrap the secret",
        ))?;
    let mut db = Vec::with_capacity(k - h_len - 1);
    db.extend_from_slice(&Sha1::digest([]));
    db.extend(std::iter::repeat_n(0u8, ps_len));
    db.push(1);
    db.extend_from_slice(message);
    let db_mask = mgf1::<Sha1>(seed, db.len());
    xor_in_place(&mut db, &db_mask);
    let mut masked_seed = *seed;
    xor_in_place(&mut masked_seed, &mgf1::<Sha1>(&db, h_len));
    let mut em = Vec::with_capacity(k);
    em.push(0);
    em.extend_from_slice(&masked_seed);
    em.extend_from_slice(&db);
    let c = BigUint::from_bytes_be(&em).modpow(key.e(), key.n());
    i2osp(&c, k).ok_or(ThemisError::KeyRsa("the RSA public operation overflowed"))
}

/// RSAES-OAEP decryption (SHA-1, MGF1-SHA-1, empty label). Every failure is the same
/// [`ThemisError::KeyUnwrap`], so callers cannot become a padding oracle.
pub fn oaep_decrypt(key: &RsaPrivateKey, ciphertext: &[u8]) -> Result<Vec<u8>, ThemisError> {
    key.decrypt(Oaep::new::<Sha1>(), ciphertext)
        .map_err(|_| ThemisError::KeyUnwrap)
}

#[cfg(test)]
mod tests {
    use super::super::keys::{parse_key, tests::rsa_pair, Key};
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn keys() -> (RsaPrivateKey, RsaPublicKey) {
        let Key::RsaPrivate(private) = parse_key(&rsa_pair().0).unwrap() else {
            panic!()
        };
        let Key::RsaPublic(public) = parse_key(&rsa_pair().1).unwrap() else {
            panic!()
        };
        (*private, public)
    }

    #[test]
    fn pss_max_salt_and_any_salt_verifies() {
        let (private, public) = keys();
        let sig = pss_sign(&private, b"msg", &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
        assert_eq!(sig.len(), 128);
        pss_verify(&public, b"msg", &sig).unwrap();
        assert_eq!(
            pss_verify(&public, b"msh", &sig),
            Err(ThemisError::SignatureMismatch)
        );
        // The crate's verifier with the maximum salt agrees: our signer used it.
        public
            .verify(
                Pss::new_with_salt::<Sha256>(128 - 34),
                &Sha256::digest(b"msg"),
                &sig,
            )
            .unwrap();
        // Same rng seed, same signature: output is reproducible.
        let again = pss_sign(&private, b"msg", &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
        assert_eq!(again, sig);
        // Signatures with other salt lengths (32, 0) verify too.
        for salt in [32usize, 0] {
            let mut rng = ChaCha20Rng::seed_from_u64(2);
            let other = private
                .sign_with_rng(
                    &mut rng,
                    Pss::new_with_salt::<Sha256>(salt),
                    &Sha256::digest(b"msg"),
                )
                .unwrap();
            pss_verify(&public, b"msg", &other).unwrap();
        }
        let mut bad = sig.clone();
        bad[0] ^= 1;
        assert!(pss_verify(&public, b"msg", &bad).is_err());
        assert!(matches!(
            pss_verify(&public, b"msg", &sig[1..]),
            Err(ThemisError::SignatureEncoding(_))
        ));
    }

    #[test]
    fn oaep_seed_is_the_only_randomness_and_round_trips() {
        let (private, public) = keys();
        let secret = [0x5a; 70];
        let a = oaep_encrypt(&public, &secret, &[1; 20]).unwrap();
        let b = oaep_encrypt(&public, &secret, &[1; 20]).unwrap();
        let c = oaep_encrypt(&public, &secret, &[2; 20]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 128);
        // The rsa crate's standard decoder accepts our encoding (checks lHash, 01 separator).
        assert_eq!(oaep_decrypt(&private, &a).unwrap(), secret);
        assert_eq!(oaep_decrypt(&private, &c).unwrap(), secret);
        // Recover the seed from the raw encoding: it must be exactly the one given.
        use rsa::traits::PrivateKeyParts;
        let em = i2osp(
            &BigUint::from_bytes_be(&a).modpow(private.d(), private.n()),
            128,
        )
        .unwrap();
        assert_eq!(em[0], 0);
        let mut seed = em[1..21].to_vec();
        xor_in_place(&mut seed, &mgf1::<Sha1>(&em[21..], 20));
        assert_eq!(seed, [1; 20]);
        let mut bad = a.clone();
        bad[5] ^= 1;
        assert_eq!(oaep_decrypt(&private, &bad), Err(ThemisError::KeyUnwrap));
    }
}
