#!/usr/bin/env node
// sealcheck protocol v1 adapter for the npm package mixin-node-sdk 3.1.16 (Mixin encrypted
// messages in JavaScript). One JSON request per line on stdin, one JSON response per line on
// stdout, answered in order. See docs/PROTOCOL.md and this folder's README.
//
// The package keeps its message functions private to its bundle: BlazeClient calls
// decryptMessageData on every ENCRYPTED_* message it receives, and the message client calls
// encryptMessageData and generateUserCheckSum before POST /encrypted_messages. The adapter
// loads the shipped bundle unchanged and adds one line that hands those functions out, so
// what runs is exactly the code the package's users run.
'use strict';

// stdout carries protocol lines only.
for (const name of ['log', 'info', 'debug', 'warn']) {
  console[name] = (...args) => console.error(...args);
}

const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const readline = require('readline');

const PACKAGE = 'mixin-node-sdk';
const PINNED = '3.1.16';
const VERSION = require(`${PACKAGE}/package.json`).version;
const OPS = ['mixin.encrypt', 'mixin.decrypt', 'mixin.checksum', 'mixin.convert_private_key'];

// The bundle's own names. There are two functions named privateKeyToCurve25519 in the bundle;
// the message code calls the second, which the bundler renamed with a `$1`.
const INTERNALS = {
  decrypt: 'decryptMessageData',
  encrypt: 'encryptMessageData',
  checksum: 'generateUserCheckSum',
  convertPrivate: 'privateKeyToCurve25519$1',
};

function loadInternals() {
  if (VERSION !== PINNED) {
    throw new Error(`${PACKAGE} is ${VERSION}; this adapter reaches into the ${PINNED} bundle`);
  }
  const file = path.join(path.dirname(require.resolve(`${PACKAGE}/package.json`)), 'dist', 'mixin-node-sdk.cjs.development.js');
  const source = fs.readFileSync(file, 'utf8');
  const names = Object.values(INTERNALS);
  const handout = `\n;module.exports.__sealcheck = { ${names.map((n) => `${JSON.stringify(n)}: ${n}`).join(', ')} };\n`;
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(source + handout, file);
  const got = m.exports.__sealcheck;
  for (const n of names) {
    if (typeof got[n] !== 'function') throw new Error(`the ${PACKAGE} bundle has no function ${n}`);
  }
  return Object.fromEntries(Object.entries(INTERNALS).map(([k, n]) => [k, got[n]]));
}

const sdk = loadInternals();

class ArgError extends Error {}

function hexArg(args, name) {
  const v = args ? args[name] : undefined;
  if (typeof v !== 'string') throw new ArgError(`argument "${name}" missing or not a string`);
  if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new ArgError(`argument "${name}" is not valid hex`);
  }
  return Buffer.from(v, 'hex');
}

function strArg(args, name) {
  const v = args ? args[name] : undefined;
  if (typeof v !== 'string') throw new ArgError(`argument "${name}" missing or not a string`);
  return v;
}

// The package's keystore holds the ed25519 private key as base64 of seed || public (64 bytes),
// which is what decryptMessageData and encryptMessageData take. Build it from the seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function keystoreKey(args) {
  const seed = hexArg(args, 'private_key');
  if (seed.length !== 32) {
    return { unsupported: `private_key is ${seed.length} bytes; the keystore form is built from a 32-byte ed25519 seed` };
  }
  const priv = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return { key: Buffer.concat([seed, spki.subarray(spki.length - 32)]) };
}

// Canonical stage, only where the library's error says it unambiguously.
function decryptStage(e) {
  const m = e && e.message;
  if (m === 'invalid data size') return 'length'; // total < 111
  // 'session id not found' is not mapped: decryptMessageData says it both when no block
  // matches and when the matching block's key unwraps to other than 16 bytes (a valid PKCS#7
  // padding of another length), so it does not name one stage.
  if (e instanceof TypeError && m === 'Stringified UUID is invalid') {
    // uuid.v4({random}) over a block cut off by the end of the body: the count lays out more
    // blocks than the body holds.
    return 'session_count';
  }
  if (m === 'Invalid initialization vector') return 'session_count'; // the nonce lies past the end
  if (m === 'Unsupported state or unable to authenticate data') return 'authentication';
  return undefined;
}

function libraryError(e, stage) {
  const err = { message: `${e && e.name ? e.name : 'Error'}: ${e && e.message}` };
  if (e && typeof e.code === 'string') err.code = e.code;
  if (stage) err.stage = stage;
  return { error: err };
}

// Stands in for crypto.randomBytes (which the bundle looks up at each call): the injected
// stream first, then the real source, saying so on stderr.
function withInjectedRandom(stream, fn) {
  const real = crypto.randomBytes;
  let pos = 0;
  let overdraw = 0;
  const calls = [];
  crypto.randomBytes = (n, cb) => {
    if (cb) return real(n, cb);
    calls.push(n);
    let out = stream.subarray(pos, pos + n);
    pos += out.length;
    if (out.length < n) {
      const extra = real(n - out.length);
      overdraw += extra.length;
      out = Buffer.concat([out, extra]);
    }
    return Buffer.from(out);
  };
  try {
    return fn();
  } finally {
    crypto.randomBytes = real;
    if (overdraw) {
      process.stderr.write(`node-mixin: the library drew ${pos + overdraw} random bytes in calls [${calls}]; ${stream.length} were injected\n`);
    } else if (pos < stream.length) {
      process.stderr.write(`node-mixin: the library drew only ${pos} of the ${stream.length} injected random bytes (calls [${calls}])\n`);
    }
  }
}

function opEncrypt(args) {
  const k = keystoreKey(args);
  if (k.unsupported) return k;
  const plaintext = hexArg(args, 'plaintext');
  if (!Array.isArray(args.sessions)) throw new ArgError('argument "sessions" missing or not a list');
  // The package's Session shape: public_key as base64, which encryptMessageData decodes.
  const sessions = args.sessions.map((s, i) => {
    if (!s || typeof s !== 'object') throw new ArgError(`sessions[${i}] is not an object`);
    return { session_id: strArg(s, 'session_id'), public_key: hexArg(s, 'public_key').toString('base64') };
  });
  let stream = null;
  const rnd = args.random;
  if (rnd !== undefined && rnd !== null) {
    if (typeof rnd !== 'object' || !Array.isArray(rnd.ivs)) throw new ArgError('random must be an object with message_key, nonce, ivs');
    stream = Buffer.concat([hexArg(rnd, 'message_key'), hexArg(rnd, 'nonce'), ...rnd.ivs.map((_, i) => hexArg(rnd.ivs, i))]);
  }
  const call = () => sdk.encrypt(plaintext, sessions, k.key);
  let out;
  try {
    out = stream ? withInjectedRandom(stream, call) : call();
  } catch (e) {
    return libraryError(e);
  }
  // encryptMessageData returns base64url without padding.
  return { ok: { body: Buffer.from(out, 'base64url').toString('hex') } };
}

function opDecrypt(args) {
  const k = keystoreKey(args);
  if (k.unsupported) return k;
  const sessionId = strArg(args, 'session_id');
  const body = hexArg(args, 'body');
  let out;
  try {
    out = sdk.decrypt(body.toString('base64'), sessionId, k.key.toString('base64'));
  } catch (e) {
    return libraryError(e, decryptStage(e));
  }
  return { ok: { plaintext: Buffer.from(out, 'base64').toString('hex') } };
}

function opChecksum(args) {
  const ids = args.session_ids;
  if (!Array.isArray(ids) || ids.some((s) => typeof s !== 'string')) throw new ArgError('argument "session_ids" must be a list of strings');
  return { ok: { checksum: sdk.checksum(ids.map((session_id) => ({ session_id }))) } };
}

// privateKeyToCurve25519 hashes the first 32 bytes of whatever it is given (the keystore key);
// like the other ops, it is handed the keystore form of a 32-byte seed.
function opConvertPrivate(args) {
  const k = keystoreKey(args);
  if (k.unsupported) return k;
  return { ok: { private_key: Buffer.from(sdk.convertPrivate(k.key)).toString('hex') } };
}

const HANDLERS = {
  'mixin.encrypt': opEncrypt,
  'mixin.decrypt': opDecrypt,
  'mixin.checksum': opChecksum,
  'mixin.convert_private_key': opConvertPrivate,
};

function handle(req) {
  const id = req && req.id !== undefined ? req.id : null;
  if (!req || typeof req !== 'object' || Array.isArray(req)) return { id, error: { message: 'adapter: bad request: not an object' } };
  const args = req.args === undefined || req.args === null ? {} : req.args;
  if (req.op === 'hello') {
    return { id, ok: { protocol: 1, name: PACKAGE, version: VERSION, ops: OPS } };
  }
  const handler = HANDLERS[req.op];
  if (!handler) return { id, unsupported: `op ${JSON.stringify(req.op)} is not implemented by ${PACKAGE} / this adapter` };
  if (typeof args !== 'object' || Array.isArray(args)) return { id, error: { message: 'adapter: args is not an object' } };
  try {
    return { id, ...handler(args) };
  } catch (e) {
    if (e instanceof ArgError) return { id, error: { message: `adapter: ${e.message}` } };
    // Anything else is the adapter's own failure: die, so the harness records a crash.
    process.stderr.write(`adapter: fatal error on request ${id}: ${e && e.stack ? e.stack : e}\n`);
    return process.exit(70);
  }
}

function processLine(line) {
  if (line.trim() === '') return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: null, error: { message: `adapter: bad request: ${e.message}` } }) + '\n');
    return;
  }
  process.stdout.write(JSON.stringify(handle(req)) + '\n');
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', processLine);
rl.on('close', () => {
  const t = setTimeout(() => process.exit(0), 2000);
  t.unref();
  process.stdout.write('', () => process.exit(0));
});
