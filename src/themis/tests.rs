//! Module-level tests: upstream vectors, the spec's worked example (§4.3), one test per
//! rejection stage (§10 mutations re-judged by our policy), and property tests.

use super::ec::EcPublic;
use super::keys::{parse_key, tests::fix_crc, tests::rsa_pair, tests::rsa_pair2, Key};
use super::*;
use crate::wire::Stage;
use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const VECTORS: &str = include_str!("../../vectors/upstream/themis-upstream-vectors.json");
const RESULTS: &str = include_str!("../../tests/data/themis-upstream-wasm-results.json");

fn hex_field(v: &Value, name: &str) -> Option<Vec<u8>> {
    v.get(name)?.as_str().map(|s| hex::decode(s).unwrap())
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn random(seed: u64) -> EncryptRandom {
    EncryptRandom::from_rng(&mut rng(seed))
}

#[test]
fn upstream_messages_behave_as_upstream_asserts() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let results: Value = serde_json::from_str(RESULTS).unwrap();
    let status: BTreeMap<&str, &str> = results["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    // The two failures the upstream tests assert, with the stage our policy gives them.
    let failures = BTreeMap::from([
        // 3 bytes cut: shorter than 12 + message_length + signature_length.
        ("core_c_overlong_ecdsa_minus3", Stage::Length),
        // A public key that did not sign the message.
        ("react_native_verify_wrong_key", Stage::Signature),
    ]);
    let list = vectors["vectors"].as_array().unwrap();
    assert_eq!(list.len(), 14);
    let mut successes = 0;
    for v in list {
        let id = v["id"].as_str().unwrap();
        let message = hex_field(v, "message").unwrap();
        let public = hex_field(v, "public_key").unwrap();
        let result = match v["kind"].as_str().unwrap() {
            "EC_SIGNED" => verify(&public, &message),
            "EC_ENCRYPTED" => decrypt(&hex_field(v, "private_key").unwrap(), &public, &message),
            other => panic!("{id}: unexpected kind {other}"),
        };
        match failures.get(id) {
            Some(stage) => {
                assert_ne!(status[id], "THEMIS_SUCCESS", "{id}");
                assert_eq!(result.unwrap_err().stage(), *stage, "{id}");
            }
            None => {
                assert_eq!(status[id], "THEMIS_SUCCESS", "{id}");
                let plaintext = hex_field(v, "plaintext").unwrap();
                assert_eq!(
                    result.unwrap_or_else(|e| panic!("{id}: {e}")),
                    plaintext,
                    "{id}"
                );
                successes += 1;
            }
        }
    }
    assert_eq!(successes, 12);
}

#[test]
fn upstream_keys_have_the_kind_upstream_reports() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let results: Value = serde_json::from_str(RESULTS).unwrap();
    let kinds: BTreeMap<&str, u64> = results["key_fixtures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some((r["id"].as_str()?, r.get("kind")?.as_u64()?)))
        .collect();
    let mut distinct = BTreeSet::new();
    for k in vectors["key_fixtures"].as_array().unwrap() {
        let id = k["id"].as_str().unwrap();
        // The react-native negative test's deliberately corrupt key is not even valid
        // base64, so the fixture holds no bytes to check.
        let Some(key) = hex_field(k, "key") else {
            assert!(k["key_base64"].is_string(), "{id}");
            continue;
        };
        // themis_key_kind_t: RSA_PRIVATE=1, RSA_PUBLIC=2, EC_PRIVATE=3, EC_PUBLIC=4.
        let expected = match kinds[id] {
            1 => KeyKind::RsaPrivate,
            2 => KeyKind::RsaPublic,
            3 => KeyKind::EcPrivate,
            4 => KeyKind::EcPublic,
            other => panic!("{id}: kind {other}"),
        };
        assert_eq!(key_check(&key), Ok(expected), "{id}");
        distinct.insert(key);
    }
    assert_eq!(distinct.len(), 28);
}

/// spec §4.3: ECDH secret, KDF input, derived key and the whole message, byte for byte.
#[test]
fn worked_example_byte_for_byte() {
    let recipient_private = hex::decode("524543320000002dfea73b8e003b4c5091f2aab8c13302aab2de98eb71f978383f411d85309d8ac44bc3cdb576").unwrap();
    let sender_public = hex::decode("554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4").unwrap();
    let expected = hex::decode(concat!(
        "20270426",
        "36000000",
        "00010140",
        "0c000000",
        "10000000",
        "02000000",
        "8d994beac956fd2ff2c972eb",
        "70bca937e9195a1d98768054ffe29761",
        "228d"
    ))
    .unwrap();
    let (Key::EcPrivate(d), Key::EcPublic(q)) = (
        parse_key(&recipient_private).unwrap(),
        parse_key(&sender_public).unwrap(),
    ) else {
        panic!("EC keys expected")
    };
    let shared = d.ecdh(&q).unwrap();
    assert_eq!(
        hex::encode(&shared),
        "dad55a8c9247b29dc0a8fb7d9b7dce7c4e8befeb588f5bc8a274b6c2ef4519f8"
    );
    assert_eq!(
        hex::encode(kdf::kdf_input(kdf::CELL_LABEL, &[&2u32.to_le_bytes()])),
        "000000015468656d6973207365637572652063656c6c206d657373616765206b65790002000000"
    );
    assert_eq!(
        hex::encode(kdf::cell_key(&shared, 2)),
        "f585ddebe8b794cdc1312ac42b13f3fb3db442c424aca478a07c207bffc9a29f"
    );
    assert_eq!(
        decrypt(&recipient_private, &sender_public, &expected).unwrap(),
        [0x0d, 0x78]
    );
    // ECDH is symmetric, so the recipient's pair re-creates the sender's message exactly.
    let random = EncryptRandom {
        iv: hex::decode("8d994beac956fd2ff2c972eb")
            .unwrap()
            .try_into()
            .unwrap(),
        secret: [0; 70],
        oaep_seed: [0; 20],
    };
    assert_eq!(
        encrypt(&recipient_private, &sender_public, &[0x0d, 0x78], &random).unwrap(),
        expected
    );
}

type Outcome = Result<Vec<u8>, ThemisError>;

struct Fixture {
    ec_private: Vec<u8>,
    ec_public: Vec<u8>,
    ec_other_public: Vec<u8>,
    signed: Vec<u8>,
    encrypted: Vec<u8>,
    rsa_signed: Vec<u8>,
    rsa_encrypted: Vec<u8>,
}

fn fixture() -> Fixture {
    let (ec_private, ec_public) = generate_ec_keypair(&mut rng(10));
    let (_, ec_other_public) = generate_ec_keypair(&mut rng(11));
    let body = [0x42u8; 100];
    let signed = sign(&ec_private, &body, &mut rng(0)).unwrap();
    let encrypted = encrypt(&ec_private, &ec_other_public, &body, &random(1)).unwrap();
    let (rp, ru) = rsa_pair();
    let rsa_signed = sign(rp, &body[..1], &mut rng(2)).unwrap();
    let rsa_encrypted = encrypt(rp, &rsa_pair2().1, &body, &random(3)).unwrap();
    let _ = ru;
    Fixture {
        ec_private,
        ec_public,
        ec_other_public,
        signed,
        encrypted,
        rsa_signed,
        rsa_encrypted,
    }
}

fn set_u32(mut m: Vec<u8>, off: usize, v: u32) -> Vec<u8> {
    m[off..off + 4].copy_from_slice(&v.to_le_bytes());
    m
}

fn flip(mut m: Vec<u8>, off: usize) -> Vec<u8> {
    m[off] ^= 1;
    m
}

/// The §10 mutations of the real implementation's malformed-input table, each with the
/// stage our stricter policy assigns (or success where Themis's behaviour is kept).
#[test]
fn every_stage_has_an_input_built_for_it() {
    let f = fixture();
    let len = |m: &Vec<u8>| m.len();
    let ok_verify = |m: &[u8]| verify(&f.ec_public, m);
    let ec_decrypt = |m: &[u8]| decrypt(&f.ec_private, &f.ec_other_public, m);
    // Sanity: the base messages are good.
    assert_eq!(ok_verify(&f.signed).unwrap(), [0x42; 100]);
    assert_eq!(ec_decrypt(&f.encrypted).unwrap(), [0x42; 100]);
    // The recipient side (recipient private, sender public) decrypts too: same ECDH secret.
    let (recipient_private, _) = generate_ec_keypair(&mut rng(11));
    assert_eq!(
        decrypt(&recipient_private, &f.ec_public, &f.encrypted).unwrap(),
        [0x42; 100]
    );

    let s = &f.signed;
    let sig_len = len(s) - 112;
    let mut appended_zero = s.clone();
    appended_zero.push(0);
    let mut appended_garbage = s.clone();
    appended_garbage.extend_from_slice(&[7; 10]);
    let mut appended_nonzero = s.clone();
    appended_nonzero.push(0x90);
    let mut too_much_padding = s.clone();
    too_much_padding.extend(std::iter::repeat_n(0, 73 - sig_len));
    let mut padding_exactly_max = s.clone();
    padding_exactly_max.extend(std::iter::repeat_n(0, 72 - sig_len));
    let mut trailing_inside = set_u32(s.clone(), 8, u32::try_from(sig_len + 2).unwrap());
    trailing_inside.extend_from_slice(&[0, 0]);
    let verify_cases: Vec<(&str, Vec<u8>, Result<(), Stage>)> = vec![
        ("sv_append1 (legacy zero padding)", appended_zero, Ok(())),
        ("legacy buffer tail of any value", appended_nonzero, Ok(())),
        ("padding up to the DER maximum", padding_exactly_max, Ok(())),
        (
            "padding beyond the DER maximum",
            too_much_padding,
            Err(Stage::Length),
        ),
        ("sv_append_garbage", appended_garbage, Err(Stage::Length)),
        ("sv_empty", vec![], Err(Stage::Empty)),
        ("sv_trunc7", s[..7].to_vec(), Err(Stage::Length)),
        ("sv_trunc11", s[..11].to_vec(), Err(Stage::Length)),
        ("sv_trunc12", s[..12].to_vec(), Err(Stage::Length)),
        (
            "sv_trunc_last1",
            s[..len(s) - 1].to_vec(),
            Err(Stage::Length),
        ),
        ("sv_type_b0_bit0", flip(s.clone(), 0), Err(Stage::Header)),
        (
            "sv_type_b0_00",
            set_u32(s.clone(), 0, 0x2604_2600),
            Err(Stage::Header),
        ),
        (
            "sv_type_ec_encrypted",
            set_u32(s.clone(), 0, 0x2604_2720),
            Err(Stage::Header),
        ),
        ("sv_type_b3_bit0", flip(s.clone(), 3), Err(Stage::Header)),
        (
            "sv_type_bigendian",
            set_u32(s.clone(), 0, 0x2026_0426),
            Err(Stage::Header),
        ),
        (
            "sv_type_rsa_signed",
            set_u32(s.clone(), 0, 0x2604_2610),
            Err(Stage::KeyKind),
        ),
        (
            "sv_mlen_plus1",
            set_u32(s.clone(), 4, 101),
            Err(Stage::Length),
        ),
        (
            "sv_mlen_minus1",
            set_u32(s.clone(), 4, 99),
            Err(Stage::Signature),
        ),
        ("sv_mlen_zero", set_u32(s.clone(), 4, 0), Err(Stage::Empty)),
        (
            "sv_mlen_huge",
            set_u32(s.clone(), 4, u32::MAX),
            Err(Stage::Length),
        ),
        (
            "sv_slen_plus1",
            set_u32(s.clone(), 8, u32::try_from(sig_len + 1).unwrap()),
            Err(Stage::Length),
        ),
        (
            "sv_slen_minus1",
            set_u32(s.clone(), 8, u32::try_from(sig_len - 1).unwrap()),
            Err(Stage::Signature),
        ),
        (
            "sv_slen_zero",
            set_u32(s.clone(), 8, 0),
            Err(Stage::Signature),
        ),
        ("sv_body_bit", flip(s.clone(), 12), Err(Stage::Signature)),
        (
            "sv_sig_bit_der",
            flip(s.clone(), 112),
            Err(Stage::Signature),
        ),
        (
            "sv_sig_bit_last",
            flip(s.clone(), len(s) - 1),
            Err(Stage::Signature),
        ),
        (
            "sv_sig_trailing_inside",
            trailing_inside,
            Err(Stage::Signature),
        ),
        (
            "sv_encrypted_input",
            f.encrypted.clone(),
            Err(Stage::Header),
        ),
    ];
    for (what, input, expected) in verify_cases {
        let got = ok_verify(&input).map(|_| ()).map_err(|e| e.stage());
        assert_eq!(got, expected, "{what}");
    }
    // Key problems on verify.
    assert_eq!(
        verify(&f.ec_other_public, s).unwrap_err().stage(),
        Stage::Signature,
        "sv_wrong_pubkey"
    );
    assert_eq!(
        verify(&f.ec_private, s).unwrap_err().stage(),
        Stage::KeyKind,
        "sv_with_private_key"
    );
    assert_eq!(
        verify(&rsa_pair().1, s).unwrap_err().stage(),
        Stage::KeyKind,
        "sv_with_rsa_pub"
    );
    assert_eq!(
        verify(&f.ec_public[..44], s).unwrap_err().stage(),
        Stage::Key,
        "truncated key"
    );

    let e = &f.encrypted;
    let mut junk_after_tag = e.clone();
    junk_after_tag.splice(52..52, [0u8; 5]);
    let junk_after_tag = set_u32(junk_after_tag, 4, u32::try_from(len(e) + 5).unwrap());
    let mut appended = e.clone();
    appended.push(0);
    let appended_fixlen = set_u32(appended.clone(), 4, u32::try_from(len(e) + 1).unwrap());
    let decrypt_cases: Vec<(&str, Vec<u8>, Stage)> = vec![
        ("ed_empty", vec![], Stage::Empty),
        ("ed_trunc7", e[..7].to_vec(), Stage::Length),
        ("ed_trunc8", e[..8].to_vec(), Stage::Length),
        ("ed_trunc_last1", e[..len(e) - 1].to_vec(), Stage::Length),
        ("ed_append1", appended, Stage::Length),
        ("ed_append1_fixlen", appended_fixlen, Stage::Length),
        ("ed_type_b0_bit0", flip(e.clone(), 0), Stage::Header),
        (
            "ed_type_rsa_enc",
            set_u32(e.clone(), 0, 0x2604_2710),
            Stage::KeyKind,
        ),
        (
            "ed_type_ec_signed",
            set_u32(e.clone(), 0, 0x2604_2620),
            Stage::Header,
        ),
        (
            "ed_len_plus1",
            set_u32(e.clone(), 4, u32::try_from(len(e) + 1).unwrap()),
            Stage::Length,
        ),
        (
            "ed_alg_aes128",
            set_u32(e.clone(), 8, 0x4001_0080),
            Stage::Algorithm,
        ),
        (
            "ed_alg_reserved",
            set_u32(e.clone(), 8, 0x4001_1100),
            Stage::Algorithm,
        ),
        (
            "ed_alg_pbkdf2",
            set_u32(e.clone(), 8, 0x4101_0100),
            Stage::Algorithm,
        ),
        (
            "ed_alg_ctr",
            set_u32(e.clone(), 8, 0x2000_0100),
            Stage::Algorithm,
        ),
        ("ed_ivlen_11", set_u32(e.clone(), 12, 11), Stage::Algorithm),
        ("ed_ivlen_16", set_u32(e.clone(), 12, 16), Stage::Algorithm),
        ("ed_taglen_15", set_u32(e.clone(), 16, 15), Stage::Algorithm),
        ("ed_taglen_17", set_u32(e.clone(), 16, 17), Stage::Algorithm),
        (
            "ed_msglen_plus1",
            set_u32(e.clone(), 20, 101),
            Stage::Length,
        ),
        (
            "ed_msglen_minus1",
            set_u32(e.clone(), 20, 99),
            Stage::Length,
        ),
        ("ed_msglen_zero", set_u32(e.clone(), 20, 0), Stage::Length),
        (
            "ed_msglen_huge",
            set_u32(e.clone(), 20, u32::MAX),
            Stage::Length,
        ),
        ("ed_junk_after_tag", junk_after_tag, Stage::Length),
        ("ed_iv_bit", flip(e.clone(), 24), Stage::Authentication),
        ("ed_tag_bit", flip(e.clone(), 36), Stage::Authentication),
        ("ed_ct_bit", flip(e.clone(), 52), Stage::Authentication),
        (
            "ed_ct_bit_last",
            flip(e.clone(), len(e) - 1),
            Stage::Authentication,
        ),
        ("ed_signed_input", f.signed.clone(), Stage::Header),
    ];
    for (what, input, stage) in decrypt_cases {
        assert_eq!(ec_decrypt(&input).unwrap_err().stage(), stage, "{what}");
    }
    // A cryptographically valid cell with N = 0 (an empty plaintext) is `empty`.
    let mut empty_cell = e[..52].to_vec();
    empty_cell = set_u32(set_u32(empty_cell, 20, 0), 4, 52);
    assert_eq!(ec_decrypt(&empty_cell).unwrap_err().stage(), Stage::Empty);

    // Key pairs on decrypt and encrypt.
    let (rp, ru) = rsa_pair();
    let other = generate_ec_keypair(&mut rng(12));
    let cases: Vec<(&str, Outcome, Stage)> = vec![
        (
            "ed_wrong_sender_pub",
            decrypt(&f.ec_private, &other.1, e),
            Stage::Authentication,
        ),
        (
            "ed_wrong_recipient_priv",
            decrypt(&other.0, &f.ec_other_public, e),
            Stage::Authentication,
        ),
        ("ed_rsa_keys", decrypt(rp, ru, e), Stage::KeyKind),
        (
            "ed_swapped_key_kinds",
            decrypt(&f.ec_other_public, &f.ec_private, e),
            Stage::KeyKind,
        ),
        (
            "encrypt_pub_pub",
            encrypt(&f.ec_public, &f.ec_other_public, b"x", &random(0)),
            Stage::KeyKind,
        ),
        (
            "encrypt_priv_priv",
            encrypt(&f.ec_private, &other.0, b"x", &random(0)),
            Stage::KeyKind,
        ),
        (
            "encrypt_ec_priv_rsa_pub",
            encrypt(&f.ec_private, ru, b"x", &random(0)),
            Stage::KeyKind,
        ),
        (
            "encrypt_rsa_priv_ec_pub",
            encrypt(rp, &f.ec_public, b"x", &random(0)),
            Stage::KeyKind,
        ),
        (
            "encrypt_empty",
            encrypt(&f.ec_private, &f.ec_public, b"", &random(0)),
            Stage::Empty,
        ),
        (
            "encrypt_empty_rsa",
            encrypt(rp, ru, b"", &random(0)),
            Stage::Empty,
        ),
        (
            "sign_empty",
            sign(&f.ec_private, b"", &mut rng(0)),
            Stage::Empty,
        ),
        ("sign_empty_rsa", sign(rp, b"", &mut rng(0)), Stage::Empty),
        (
            "sign_with_public",
            sign(&f.ec_public, b"x", &mut rng(0)),
            Stage::KeyKind,
        ),
    ];
    for (what, result, stage) in cases {
        assert_eq!(result.unwrap_err().stage(), stage, "{what}");
    }
    // Bad keys (CRC recomputed so the deeper check is what fails).
    let mut zero_scalar = f.ec_private.clone();
    zero_scalar[12..].fill(0);
    fix_crc(&mut zero_scalar);
    let mut hybrid = {
        let Key::EcPublic(EcPublic::P256(q)) = parse_key(&f.ec_public).unwrap() else {
            panic!()
        };
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let mut point = q.to_encoded_point(false).as_bytes().to_vec();
        point[0] = 6;
        container::write(*b"UEC2", &point).unwrap()
    };
    fix_crc(&mut hybrid);
    assert_eq!(
        sign(&zero_scalar, b"x", &mut rng(0)).unwrap_err().stage(),
        Stage::Key
    );
    assert_eq!(
        encrypt(&f.ec_private, &hybrid, b"x", &random(0))
            .unwrap_err()
            .stage(),
        Stage::Key
    );
    // Mixed curves: a P-384 private key with a P-256 public key.
    let p384_private = {
        let mut payload = vec![0u8; 49];
        payload[48] = 3;
        container::write(*b"REC3", &payload).unwrap()
    };
    assert_eq!(key_check(&p384_private), Ok(KeyKind::EcPrivate));
    assert_eq!(
        encrypt(&p384_private, &f.ec_public, b"x", &random(0))
            .unwrap_err()
            .stage(),
        Stage::KeyKind
    );

    // RSA signed and encrypted messages.
    let r = &f.rsa_signed;
    let rsa_verify = |m: &[u8]| verify(ru, m).map(|_| ()).map_err(|e| e.stage());
    assert_eq!(rsa_verify(r), Ok(()));
    let mut rsa_appended = r.clone();
    rsa_appended.push(0);
    assert_eq!(
        rsa_verify(&rsa_appended),
        Err(Stage::Length),
        "rsv_append1: RSA never had padding"
    );
    assert_eq!(
        rsa_verify(&flip(r.clone(), 13)),
        Err(Stage::Signature),
        "rsv_sig_bit"
    );
    assert_eq!(
        rsa_verify(&flip(r.clone(), 12)),
        Err(Stage::Signature),
        "rsv_body_bit"
    );
    assert_eq!(
        rsa_verify(&set_u32(r.clone(), 0, 0x2604_2600)),
        Err(Stage::Header),
        "rsv_type_b0_00"
    );
    assert_eq!(
        rsa_verify(&set_u32(r.clone(), 0, 0x2604_2620)),
        Err(Stage::KeyKind),
        "rsv_type_ec_signed"
    );
    assert_eq!(
        verify(&rsa_pair2().1, r).unwrap_err().stage(),
        Stage::Signature,
        "rsv_wrong_rsa_pub"
    );
    assert_eq!(
        verify(&f.ec_public, r).unwrap_err().stage(),
        Stage::KeyKind,
        "rsv_with_ec_pub"
    );

    let (rp2, _) = rsa_pair2();
    let re = &f.rsa_encrypted;
    // Decrypt ignores the public key beyond checking that it is an RSA public key.
    let rsa_decrypt = |m: &[u8]| decrypt(rp2, ru, m).map(|_| ()).map_err(|e| e.stage());
    assert_eq!(decrypt(rp2, &rsa_pair2().1, re).unwrap(), [0x42; 100]);
    assert_eq!(rsa_decrypt(re), Ok(()));
    assert_eq!(rsa_decrypt(&re[..12]), Err(Stage::Length), "rd_trunc12");
    assert_eq!(
        rsa_decrypt(&re[..len(re) - 1]),
        Err(Stage::Length),
        "rd_trunc_last1"
    );
    assert_eq!(
        rsa_decrypt(&set_u32(re.clone(), 0, 0x2604_2720)),
        Err(Stage::KeyKind),
        "rd_type_ec"
    );
    assert_eq!(
        rsa_decrypt(&set_u32(re.clone(), 8, u32::MAX)),
        Err(Stage::Length),
        "rd_pwlen_huge"
    );
    assert_eq!(
        rsa_decrypt(&set_u32(re.clone(), 8, 127)),
        Err(Stage::Length),
        "rd_pwlen_minus1"
    );
    assert_eq!(
        rsa_decrypt(&set_u32(re.clone(), 8, 0)),
        Err(Stage::Length),
        "rd_pwlen_zero"
    );
    assert_eq!(
        rsa_decrypt(&flip(re.clone(), 12)),
        Err(Stage::Authentication),
        "rd_oaep_bit"
    );
    assert_eq!(
        rsa_decrypt(&flip(re.clone(), 12 + 128 + 28)),
        Err(Stage::Authentication),
        "rd_cell_tag_bit"
    );
    assert_eq!(
        rsa_decrypt(&flip(re.clone(), len(re) - 1)),
        Err(Stage::Authentication),
        "rd_cell_ct_bit"
    );
    assert_eq!(
        decrypt(rp, ru, re).unwrap_err().stage(),
        Stage::Authentication,
        "rd_wrong_priv"
    );
    assert_eq!(
        decrypt(&f.ec_private, &f.ec_public, re)
            .unwrap_err()
            .stage(),
        Stage::KeyKind,
        "rd_ec_keys"
    );
}

#[test]
fn rsa_layout_matches_the_spec() {
    let (rp, _) = rsa_pair();
    let (_, ru2) = rsa_pair2();
    let r = random(5);
    let m = encrypt(rp, ru2, b"z", &r).unwrap();
    // 12 + k + 44 + N
    assert_eq!(m.len(), 12 + 128 + 44 + 1);
    assert_eq!(&m[..4], &[0x10, 0x27, 0x04, 0x26]);
    assert_eq!(&m[4..8], &u32::try_from(m.len()).unwrap().to_le_bytes());
    assert_eq!(&m[8..12], &128u32.to_le_bytes());
    assert_eq!(&m[140..144], &[0x00, 0x01, 0x01, 0x40]);
    assert_eq!(&m[156..168], &r.iv);
    // The cell is keyed by the 70-byte secret alone.
    let mut rd = crate::wire::Reader::new(&m[140..]);
    let view = cell::parse(&mut rd, &mut cell::CellRanges::default()).unwrap();
    assert_eq!(cell::open(&r.secret, &view).unwrap(), b"z");
    // Same random values, same bytes; the sender's key plays no part.
    assert_eq!(encrypt(&rsa_pair2().0, ru2, b"z", &r).unwrap(), m);
}

#[test]
fn other_curves_round_trip() {
    for (tag, len) in [(*b"REC3", 48usize), (*b"REC5", 66)] {
        let mut scalar = vec![0u8; len];
        scalar[len - 1] = 9;
        let private = container::write(tag, &scalar).unwrap();
        let Key::EcPrivate(d) = parse_key(&private).unwrap() else {
            panic!()
        };
        let public = keys::write_ec_public(&d);
        let signed = sign(&private, b"curve", &mut rng(0)).unwrap();
        assert_eq!(verify(&public, &signed).unwrap(), b"curve");
        let enc = encrypt(&private, &public, b"curve", &random(0)).unwrap();
        assert_eq!(decrypt(&private, &public, &enc).unwrap(), b"curve");
    }
}

/// Two EC key pairs: (a private, a public, b private, b public).
type EcKeys = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

fn ec_keys() -> &'static EcKeys {
    static KEYS: std::sync::OnceLock<EcKeys> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let (a, b) = generate_ec_keypair(&mut rng(20));
        let (c, d) = generate_ec_keypair(&mut rng(21));
        (a, b, c, d)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn round_trips(len in 1usize..=70_000, seed in any::<u64>()) {
        let mut plain = vec![0u8; len];
        rand_core::RngCore::fill_bytes(&mut rng(seed), &mut plain);
        let (a_priv, a_pub, b_priv, b_pub) = ec_keys();
        let signed = sign(a_priv, &plain, &mut rng(seed)).unwrap();
        prop_assert_eq!(verify(a_pub, &signed).unwrap(), plain.clone());
        let enc = encrypt(a_priv, b_pub, &plain, &random(seed)).unwrap();
        prop_assert_eq!(enc.len(), 52 + len);
        prop_assert_eq!(decrypt(b_priv, a_pub, &enc).unwrap(), plain.clone());
        let (rp, ru) = rsa_pair();
        let (rp2, ru2) = rsa_pair2();
        let signed = sign(rp, &plain, &mut rng(seed)).unwrap();
        prop_assert_eq!(verify(ru, &signed).unwrap(), plain.clone());
        let enc = encrypt(rp, ru2, &plain, &random(seed)).unwrap();
        prop_assert_eq!(decrypt(rp2, ru, &enc).unwrap(), plain);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (a_priv, a_pub, _, b_pub) = ec_keys();
        let (rp, ru) = rsa_pair();
        let _ = verify(a_pub, &bytes);
        let _ = verify(ru, &bytes);
        let _ = decrypt(a_priv, b_pub, &bytes);
        let _ = decrypt(rp, ru, &bytes);
        let _ = key_check(&bytes);
        let _ = dissect(&bytes);
        let _ = verify(&bytes, &bytes);
        let _ = decrypt(&bytes, a_pub, &bytes);
    }

    #[test]
    fn single_byte_mutations_never_panic(pos in any::<prop::sample::Index>(), value in any::<u8>(), which in 0usize..6) {
        let f = fixture_cached();
        let (a_priv, a_pub, b_priv, b_pub) = ec_keys();
        let (rp, ru) = rsa_pair();
        let mut m = match which {
            0 => f.signed.clone(),
            1 => f.encrypted.clone(),
            2 => f.rsa_signed.clone(),
            3 => f.rsa_encrypted.clone(),
            4 => a_priv.clone(),
            _ => rsa_pair().0.clone(),
        };
        let i = pos.index(m.len());
        m[i] = value;
        let _ = verify(&f.ec_public, &m);
        let _ = verify(ru, &m);
        let _ = decrypt(&f.ec_private, &f.ec_other_public, &m);
        let _ = decrypt(&rsa_pair2().0, ru, &m);
        let _ = key_check(&m);
        let _ = dissect(&m);
        let _ = sign(&m, b"x", &mut rng(0));
        let _ = (b_priv, a_pub, b_pub, rp);
    }
}

fn fixture_cached() -> &'static Fixture {
    static F: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    F.get_or_init(fixture)
}
