#!/usr/bin/env node
// Observes what wasm-themis does with the key defects of the themis.encrypt vectors. The
// adapter answers `unsupported` for those vectors (they carry `random`, which wasm-themis
// cannot take), but whether a key is refused does not depend on the IV: this encrypts each
// vector's message under its keys with wasm-themis's own randomness and prints, per vector id,
// ACCEPTED or the error. Usage (from the repository root, after npm ci --prefix adapters/wasm-themis):
//   node adapters/wasm-themis/encrypt-keys-without-random.js
'use strict';

for (const name of ['log', 'info', 'debug']) console[name] = (...a) => console.error(...a);
delete globalThis.fetch; // see adapter.js

const fs = require('fs');
const path = require('path');
const themis = require('wasm-themis');

const file = path.join(__dirname, '..', '..', 'vectors', 'themis', 'encrypt.json');
const tests = JSON.parse(fs.readFileSync(file, 'utf8')).tests.filter(
  (t) => t.expected.result !== 'valid' && t.args.random !== undefined,
);
const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));

themis.initialize().then(() => {
  for (const t of tests) {
    let outcome;
    try {
      const sm = new themis.SecureMessage(
        new themis.PrivateKey(bytes(t.args.private_key)),
        new themis.PublicKey(bytes(t.args.peer_public_key)),
      );
      sm.encrypt(bytes(t.args.message));
      outcome = 'ACCEPTED';
    } catch (e) {
      outcome = `rejected: ${e.message}`;
    }
    process.stdout.write(`${t.id}  ${outcome}\n`);
  }
});
