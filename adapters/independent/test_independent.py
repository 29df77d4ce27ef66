"""Tests of the independent implementation against facts that do not come from sealcheck:
the spec documents' worked examples, the upstream projects' own vectors
(vectors/upstream/, copied from Themis and the Mixin clients with provenance), the CRC-32C
check value, and the algebra itself (the Edwards/Montgomery map agrees with X25519 of
the converted private key). Run: .venv/bin/python -m unittest test_independent
"""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
UPSTREAM = os.path.join(HERE, "..", "..", "vectors", "upstream")

from cryptography.hazmat.primitives.asymmetric import x25519  # noqa: E402

import mixin_message as mx  # noqa: E402
import themis_message as th  # noqa: E402
from wire import BadArgs, Rejected  # noqa: E402


def load(name):
    with open(os.path.join(UPSTREAM, name)) as f:
        return json.load(f)


class Crc(unittest.TestCase):
    def test_check_value(self):
        self.assertEqual(th.crc32c(b"123456789"), 0xE3069283)

    def test_spec_example_key_stores_crc_little_endian(self):
        key = bytes.fromhex("554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4")
        self.assertEqual(th.parse_key(key, "k").kind, "ec_public")
        self.assertEqual(th.crc32c(key[:8] + bytes(4) + key[12:]), 0x5FEBE0F8)


class ThemisUpstream(unittest.TestCase):
    def test_worked_example_byte_for_byte(self):
        # themis-secure-message.md section 4.3, message e1 observed on wasm-themis.
        priv = "524543320000002dfea73b8e003b4c5091f2aab8c13302aab2de98eb71f978383f411d85309d8ac44bc3cdb576"
        pub = "554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4"
        want = (
            "2027042636000000000101400c0000001000000002000000"
            "8d994beac956fd2ff2c972eb70bca937e9195a1d98768054ffe29761228d"
        )
        args = {"private_key": priv, "peer_public_key": pub, "message": "0d78", "random": {"iv": "8d994beac956fd2ff2c972eb"}}
        self.assertEqual(th.op_encrypt(args)["encrypted"], want)
        self.assertEqual(th.op_decrypt({"private_key": priv, "peer_public_key": pub, "encrypted": want}), {"message": "0d78"})
        shared = bytes.fromhex("dad55a8c9247b29dc0a8fb7d9b7dce7c4e8befeb588f5bc8a274b6c2ef4519f8")
        self.assertEqual(th.cell_key(shared, 2).hex(), "f585ddebe8b794cdc1312ac42b13f3fb3db442c424aca478a07c207bffc9a29f")

    def test_upstream_messages_as_upstream_asserts(self):
        data = load("themis-upstream-vectors.json")
        seen = 0
        for v in data["vectors"]:
            with self.subTest(v["id"]):
                if v["kind"] == "EC_SIGNED":
                    call = lambda: th.op_verify({"public_key": v["public_key"], "signed": v["message"]})  # noqa: E731
                else:
                    call = lambda: th.op_decrypt(  # noqa: E731
                        {"private_key": v["private_key"], "peer_public_key": v["public_key"], "encrypted": v["message"]}
                    )
                if v["expect"] == "THEMIS_SUCCESS":
                    self.assertEqual(call()["message"], v["plaintext"])
                else:
                    with self.assertRaises(Rejected):
                        call()
                seen += 1
        self.assertEqual(seen, 14)

    def test_upstream_keys_all_valid(self):
        data = load("themis-upstream-vectors.json")
        kinds = {b"REC": "ec_private", b"UEC": "ec_public", b"RRA": "rsa_private", b"URA": "rsa_public"}
        checked = 0
        for k in data["key_fixtures"]:
            if not k.get("key"):
                continue
            with self.subTest(k["id"]):
                raw = bytes.fromhex(k["key"])
                self.assertEqual(th.op_key_check({"key": k["key"]})["kind"], kinds[raw[:3]])
                checked += 1
        self.assertGreaterEqual(checked, 30)

    def test_rsa_round_trip_with_injected_draws(self):
        keys = {k["id"]: k["key"] for k in load("themis-upstream-vectors.json")["key_fixtures"] if k.get("key")}
        priv, pub = keys["pythemis_rsa1024_priv"], keys["pythemis_rsa1024_pub"]
        rnd = {"iv": "11" * 12, "secret": "22" * 70, "oaep_seed": "33" * 20}
        args = {"private_key": priv, "peer_public_key": pub, "message": "abcd", "random": rnd}
        enc = th.op_encrypt(args)["encrypted"]
        self.assertEqual(enc, th.op_encrypt(args)["encrypted"])  # exact under injection
        self.assertEqual(th.op_decrypt({"private_key": priv, "peer_public_key": pub, "encrypted": enc}), {"message": "abcd"})
        # The core's draw sizes are enforced: a 12-byte value where the secret is drawn fails.
        with self.assertRaises(BadArgs):
            th.op_encrypt({**args, "random": {**rnd, "secret": "22" * 12}})

    def test_sign_then_verify_both_families(self):
        keys = {k["id"]: k["key"] for k in load("themis-upstream-vectors.json")["key_fixtures"] if k.get("key")}
        for priv, pub in (("pythemis_ec256_priv", "pythemis_ec256_pub"), ("pythemis_rsa2048_priv", "pythemis_rsa2048_pub")):
            signed = th.op_sign({"private_key": keys[priv], "message": "68656c6c6f"})["signed"]
            self.assertEqual(th.op_verify({"public_key": keys[pub], "signed": signed}), {"message": "68656c6c6f"})

    def test_stage_order_examples(self):
        keys = {k["id"]: k["key"] for k in load("themis-upstream-vectors.json")["key_fixtures"] if k.get("key")}
        priv, pub = keys["pythemis_ec256_priv"], keys["pythemis_ec256_pub"]
        enc = bytes.fromhex(th.op_encrypt({"private_key": priv, "peer_public_key": pub, "message": "00" * 10})["encrypted"])

        def stage(data):
            try:
                th.op_decrypt({"private_key": priv, "peer_public_key": pub, "encrypted": data.hex()})
            except Rejected as e:
                return e.stage
            return "ok"

        self.assertEqual(stage(enc), "ok")
        self.assertEqual(stage(b""), "empty")
        self.assertEqual(stage(enc[:3]), "length")
        self.assertEqual(stage(b"\x21" + enc[1:]), "header")
        ivlen16 = enc[:12] + (16).to_bytes(4, "little") + enc[16:]
        self.assertEqual(stage(ivlen16), "length")  # declared layout no longer matches the data
        junk = enc[:4] + (len(enc) + 4).to_bytes(4, "little") + enc[8:12] + (16).to_bytes(4, "little") + enc[16:36] + b"JUNK" + enc[36:]
        self.assertEqual(stage(junk), "algorithm")  # layout fits, the IV length is unsupported
        self.assertEqual(stage(enc[:8] + b"\x80" + enc[9:]), "algorithm")
        self.assertEqual(stage(enc[:-1] + bytes([enc[-1] ^ 1])), "authentication")


class Curves(unittest.TestCase):
    def test_orders_and_primes(self):
        # n - 1 must give -G (same x, y negated) and n itself must be refused; a typo in
        # the P-521 order once made valid keys crash the adapter.
        from cryptography.hazmat.primitives.asymmetric import ec

        for c in th.CURVES.values():
            with self.subTest(c.name):
                self.assertEqual(c.n.bit_length(), c.p.bit_length())
                g = ec.derive_private_key(1, c.ec_curve).public_key().public_numbers()
                m = ec.derive_private_key(c.n - 1, c.ec_curve).public_key().public_numbers()
                self.assertEqual((m.x, m.y), (g.x, c.p - g.y))
                with self.assertRaises(ValueError):
                    ec.derive_private_key(c.n, c.ec_curve)

    def test_scalar_out_of_range_is_a_key_error_not_a_crash(self):
        curve = th.CURVES[b"5"]
        for d in (0, curve.n, 2**521):
            payload = d.to_bytes(67, "big")
            body = b"REC5" + (12 + len(payload)).to_bytes(4, "big") + bytes(4) + payload
            key = body[:8] + th.crc32c(body).to_bytes(4, "little") + body[12:]
            with self.subTest(d=d), self.assertRaises(Rejected) as cm:
                th.parse_key(key, "k")
            self.assertEqual(cm.exception.stage, "key")


class Der(unittest.TestCase):
    def test_strict_der(self):
        curve = th.CURVES[b"2"]
        ok = bytes.fromhex("3006020101020102")
        self.assertEqual(th.parse_der_signature(ok, curve), (1, 2))
        for bad in (
            "3007020101020102",  # SEQUENCE longer than the data
            "300602010102010200",  # a byte after the SEQUENCE
            "300702020001020102",  # INTEGER not minimal
            "3006020181020102",  # negative INTEGER
            "3006020100020102",  # r = 0
        ):
            with self.subTest(bad), self.assertRaises(Rejected) as cm:
                th.parse_der_signature(bytes.fromhex(bad), curve)
            self.assertEqual(cm.exception.stage, "signature")


class MixinUpstream(unittest.TestCase):
    def setUp(self):
        self.vectors = {v["id"]: v for v in load("mixin-upstream-vectors.json")["vectors"]}

    def test_desktop_body_decrypts(self):
        import base64

        v = self.vectors["flutter-encryptedDecryptTest"]
        seed = base64.b64decode(v["recipient_ed25519_seed_b64"]).hex()
        args = {"private_key": seed, "session_id": v["recipient_session_id"], "body": v["ciphertext_hex"]}
        self.assertEqual(bytes.fromhex(mx.op_decrypt(args)["plaintext"]), b"LA")
        # RFC 4122: hex digits are case-insensitive on input; the ids are the same 16 bytes.
        args["session_id"] = v["recipient_session_id"].upper()
        self.assertEqual(bytes.fromhex(mx.op_decrypt(args)["plaintext"]), b"LA")

    def test_conversion_vector(self):
        v = self.vectors["ed25519-to-curve25519-conversion"]
        self.assertEqual(mx.op_convert_private_key({"private_key": v["ed25519_seed_hex"]})["private_key"], v["expected_curve25519_private_hex"])
        self.assertEqual(mx.op_convert_public_key({"public_key": v["ed25519_public_hex"]})["public_key"], v["expected_curve25519_public_hex"])

    def test_map_agrees_with_x25519_of_converted_private(self):
        for i in range(20):
            seed = bytes([i]) * 32
            x_priv = mx.ed25519_seed_to_x25519_private(seed)
            via_x25519 = x25519.X25519PrivateKey.from_private_bytes(x_priv).public_key().public_bytes_raw()
            self.assertEqual(mx.ed25519_to_x25519_public(mx.ed25519_public_from_seed(seed)), via_x25519)

    def test_small_order_and_noncanonical_points_refused(self):
        identity = (1).to_bytes(32, "little")
        minus_one = (mx.P - 1).to_bytes(32, "little")  # (0, -1), order 2
        noncanonical_identity = (mx.P + 1).to_bytes(32, "little")
        for pk in (identity, minus_one, noncanonical_identity):
            with self.subTest(pk.hex()), self.assertRaises(Rejected) as cm:
                mx.ed25519_to_x25519_public(pk)
            self.assertEqual(cm.exception.stage, "key")

    def test_encrypt_then_decrypt_and_exact_layout(self):
        seed_a, seed_b = bytes(range(32)), bytes(range(32, 64))
        pub_b = x25519.X25519PrivateKey.from_private_bytes(mx.ed25519_seed_to_x25519_private(seed_b)).public_key().public_bytes_raw()
        sid = "ebf59efa-7e44-4799-a014-99ecd2ae1579"
        rnd = {"message_key": "01" * 16, "nonce": "02" * 12, "ivs": ["03" * 16]}
        body = mx.op_encrypt(
            {"private_key": seed_a.hex(), "sessions": [{"session_id": sid, "public_key": pub_b.hex()}], "plaintext": "4c41", "random": rnd}
        )["body"]
        raw = bytes.fromhex(body)
        self.assertEqual(len(raw), 35 + 64 + 12 + 2 + 16)
        self.assertEqual(raw[:3], b"\x01\x01\x00")
        self.assertEqual(raw[35:51].hex(), sid.replace("-", ""))
        self.assertEqual(mx.op_decrypt({"private_key": seed_b.hex(), "session_id": sid, "body": body}), {"plaintext": "4c41"})

    def test_uuid_strings(self):
        self.assertIsNotNone(mx.parse_uuid("EBF59EFA-7E44-4799-A014-99ECD2AE1579"))
        for bad in ("ebf59efa7e444799a01499ecd2ae1579", "{ebf59efa-7e44-4799-a014-99ecd2ae1579}", "ebf59efa-7e44-4799-a014-99ecd2ae157g", ""):
            self.assertIsNone(mx.parse_uuid(bad), bad)

    def test_checksum(self):
        self.assertEqual(mx.op_checksum({"session_ids": []}), {"checksum": ""})
        import hashlib

        ids = ["b", "a"]
        self.assertEqual(mx.op_checksum({"session_ids": ids})["checksum"], hashlib.md5(b"ab").hexdigest())


class Protocol(unittest.TestCase):
    def test_handshake_pipelined_requests_and_clean_exit(self):
        proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "adapter.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        lines = [
            {"id": 0, "op": "hello", "args": {"protocol": 1}},
            {"id": 7, "op": "mixin.checksum", "args": {"session_ids": []}},
            {"id": 8, "op": "themis.key.check", "args": {"key": "00"}},
            {"id": 9, "op": "no.such.op", "args": {}},
        ]
        out, _ = proc.communicate(("".join(json.dumps(x) + "\n" for x in lines)).encode(), timeout=30)
        replies = [json.loads(x) for x in out.decode().splitlines()]
        self.assertEqual(proc.returncode, 0)
        self.assertEqual([r["id"] for r in replies], [0, 7, 8, 9])
        self.assertEqual(replies[0]["ok"]["protocol"], 1)
        self.assertEqual(len(replies[0]["ok"]["ops"]), 10)
        self.assertEqual(replies[1], {"id": 7, "ok": {"checksum": ""}})
        self.assertEqual(replies[2]["error"]["stage"], "key")
        self.assertIn("unsupported", replies[3])


if __name__ == "__main__":
    unittest.main()
