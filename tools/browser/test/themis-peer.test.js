// The Themis peer over plain HTTP with wasm-themis 0.15.0 as the client, no browser: a
// signed message and an encrypted one, each answered with a reply wasm-themis accepts, and
// a tampered one refused at the stage the reference names.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { startPeer } = require('../lib/peer');

async function loadThemis() {
  const saved = globalThis.fetch;
  delete globalThis.fetch; // see peer-page.test.js
  const themis = require('wasm-themis');
  await themis.initialize();
  globalThis.fetch = saved;
  return themis;
}

const hex = (b) => Buffer.from(b).toString('hex');

test('wasm-themis talks to the Themis peer', async (t) => {
  const themis = await loadThemis();
  const peer = await startPeer(['--seed', '22']);
  t.after(() => peer.stop());
  const keys = (await (await fetch(`${peer.url}/themis/keys`)).json()).data;
  const peerEc = new themis.PublicKey(Buffer.from(keys.ec.public_key, 'hex'));
  const client = new themis.KeyPair();
  const ask = async (message) => {
    const r = await fetch(`${peer.url}/themis/message`, {
      method: 'POST',
      body: JSON.stringify({ message: hex(message), public_key: hex(client.publicKey) }),
    });
    assert.equal(r.status, 200);
    return (await r.json()).data;
  };

  // Signed by the client: verified, and answered signed by the peer's EC key.
  const signed = new themis.SecureMessageSign(client.privateKey).sign(Buffer.from('signed by wasm-themis'));
  let a = await ask(signed);
  assert.equal(a.verdict, 'valid');
  assert.equal(a.kind, 'EC signed');
  assert.equal(a.plaintext.utf8, 'signed by wasm-themis');
  assert.equal(a.reply.mode, 'signed');
  const verified = new themis.SecureMessageVerify(peerEc).verify(Buffer.from(a.reply.message.hex, 'hex'));
  assert.equal(Buffer.from(verified).toString(), 'sealcheck peer received: signed by wasm-themis');

  // Encrypted to the peer: decrypted, and answered encrypted to the client.
  const box = new themis.SecureMessage(client.privateKey, peerEc);
  a = await ask(box.encrypt(Buffer.from('encrypted by wasm-themis')));
  assert.equal(a.verdict, 'valid');
  assert.equal(a.reply.mode, 'encrypted');
  const opened = box.decrypt(Buffer.from(a.reply.message.hex, 'hex'));
  assert.equal(Buffer.from(opened).toString(), 'sealcheck peer received: encrypted by wasm-themis');

  // One flipped signature byte: invalid at the signature stage, no reply.
  const bad = Buffer.from(signed);
  bad[bad.length - 3] ^= 1;
  a = await ask(bad);
  assert.equal(a.verdict, 'invalid');
  assert.equal(a.stage, 'signature');
  assert.equal(a.reply, undefined);
});
