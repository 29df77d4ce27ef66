#!/usr/bin/env node
// sealcheck protocol v1 adapter for wasm-themis 0.15.0 (Themis C core + BoringSSL
// compiled to WebAssembly). Reads one JSON request per line on stdin, writes one
// JSON response per line on stdout, in order. See docs/PROTOCOL.md.
'use strict';

// stdout carries protocol lines only. The Emscripten runtime prints through
// console.log / console.warn (bound when the module is instantiated), so send
// every console channel to stderr before loading the package.
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args);
}

// Under Node >= 18 the Emscripten loader sees a global fetch() and tries to
// fetch the .wasm file by path, which fails. Without fetch it reads the file
// from disk, which is what we want.
delete globalThis.fetch;

const themis = require('wasm-themis');
const readline = require('readline');

const NAME = 'wasm-themis';
const VERSION = require('wasm-themis/package.json').version;
const OPS = [
  'themis.key.check',
  'themis.sign',
  'themis.verify',
  'themis.encrypt',
  'themis.decrypt',
];

class ArgError extends Error {}

function hexArg(args, name) {
  const v = args ? args[name] : undefined;
  if (typeof v !== 'string') throw new ArgError(`adapter: argument "${name}" missing or not a string`);
  if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new ArgError(`adapter: argument "${name}" is not valid hex`);
  }
  return new Uint8Array(Buffer.from(v, 'hex'));
}

const toHex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

// Kind reported only after the library has accepted the container.
function kindFromTag(bytes, isPrivate) {
  const tag = Buffer.from(bytes.subarray(0, 3)).toString('latin1');
  if (tag === 'REC' || tag === 'UEC') return isPrivate ? 'ec_private' : 'ec_public';
  if (tag === 'RRA' || tag === 'URA') return isPrivate ? 'rsa_private' : 'rsa_public';
  // Not reachable: themis_is_valid_asym_key rejects other tags.
  throw new ArgError(`adapter: library accepted a key with unknown tag ${JSON.stringify(tag)}`);
}

function isThemisError(e) {
  return e instanceof themis.ThemisError;
}

// Map a wasm-themis error to a canonical stage only where the wrapper's text
// makes it unambiguous; otherwise leave stage out.
function stageOf(e) {
  const m = e.message;
  if (m === 'Themis: SecureMessage: message must be not empty') return 'empty';
  if (m === 'Themis: KeyPair: invalid key kind') return 'key_kind';
  if (m === 'Themis: KeyPair: invalid key') return 'key';
  if (m === 'Themis: KeyPair: key must not be empty') return 'key';
  return undefined;
}

function keyCheck(args) {
  const key = hexArg(args, 'key');
  try {
    new themis.PrivateKey(key);
    return { kind: kindFromTag(key, true) };
  } catch (e) {
    // Only "invalid key kind" means "valid container, but a public key".
    if (!(isThemisError(e) && e.message === 'Themis: KeyPair: invalid key kind')) throw e;
  }
  new themis.PublicKey(key);
  return { kind: kindFromTag(key, false) };
}

function sign(args) {
  const key = hexArg(args, 'private_key');
  const message = hexArg(args, 'message');
  const signer = new themis.SecureMessageSign(new themis.PrivateKey(key));
  return { signed: toHex(signer.sign(message)) };
}

function verify(args) {
  const key = hexArg(args, 'public_key');
  const signed = hexArg(args, 'signed');
  const verifier = new themis.SecureMessageVerify(new themis.PublicKey(key));
  return { message: toHex(verifier.verify(signed)) };
}

function secureMessage(args) {
  const priv = hexArg(args, 'private_key');
  const pub = hexArg(args, 'peer_public_key');
  return new themis.SecureMessage(new themis.PrivateKey(priv), new themis.PublicKey(pub));
}

function encrypt(args) {
  if (args && args.random !== undefined && args.random !== null) {
    return {
      unsupported:
        'wasm-themis draws the IV (and RSA secret / OAEP seed) from BoringSSL\'s DRBG inside ' +
        'WebAssembly; the public API offers no way to inject them',
    };
  }
  const sm = secureMessage(args);
  const message = hexArg(args, 'message');
  return { encrypted: toHex(sm.encrypt(message)) };
}

function decrypt(args) {
  const sm = secureMessage(args);
  const encrypted = hexArg(args, 'encrypted');
  return { message: toHex(sm.decrypt(encrypted)) };
}

const HANDLERS = {
  'themis.key.check': keyCheck,
  'themis.sign': sign,
  'themis.verify': verify,
  'themis.encrypt': encrypt,
  'themis.decrypt': decrypt,
};

function handle(req) {
  const id = req.id;
  if (req.op === 'hello') {
    return { id, ok: { protocol: 1, name: NAME, version: VERSION, ops: OPS } };
  }
  const handler = HANDLERS[req.op];
  if (!handler) return { id, unsupported: `op ${JSON.stringify(req.op)} is not implemented` };
  try {
    const result = handler(req.args || {});
    if (result && typeof result.unsupported === 'string') return { id, unsupported: result.unsupported };
    return { id, ok: result };
  } catch (e) {
    if (isThemisError(e)) {
      const error = { message: e.message };
      if (typeof e.errorCode === 'number') error.code = String(e.errorCode);
      const stage = stageOf(e);
      if (stage) error.stage = stage;
      return { id, error };
    }
    if (e instanceof ArgError || e instanceof TypeError) {
      return { id, error: { message: e.message } };
    }
    // Anything else (a WebAssembly trap, an Emscripten abort) leaves the
    // module in an unknown state: report it on stderr and die, so the harness
    // records a crash and restarts us.
    process.stderr.write(`adapter: fatal error on request ${id}: ${e && e.stack ? e.stack : e}\n`);
    process.exit(70);
  }
}

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function processLine(line) {
  if (line.trim() === '') return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    process.stderr.write(`adapter: ignoring a line that is not JSON: ${e.message}\n`);
    return;
  }
  send(handle(req));
}

let ready = false;
let closed = false;
const pending = [];

function finish() {
  // Let stdout drain, then exit; never hang around longer than the harness allows.
  const t = setTimeout(() => process.exit(0), 2000);
  t.unref();
  process.stdout.write('', () => process.exit(0));
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', (line) => {
  if (ready) processLine(line);
  else pending.push(line);
});
rl.on('close', () => {
  closed = true;
  if (ready) finish();
});

themis.initialize().then(
  () => {
    ready = true;
    for (const line of pending.splice(0)) processLine(line);
    if (closed) finish();
  },
  (e) => {
    process.stderr.write(`adapter: failed to initialise wasm-themis: ${e && e.stack ? e.stack : e}\n`);
    process.exit(71);
  },
);
