#!/usr/bin/env node
// sealcheck protocol v1 adapter for JsThemis (npm `jsthemis`, a native addon over the Themis
// C core). Reads one JSON request per line on stdin, writes one JSON response per line on
// stdout, in order. See docs/PROTOCOL.md and README.md.
//
//   node adapters/jsthemis/adapter.js --prefix DIR
//
// DIR is the core the addon was built against (setup.sh links it there by rpath); it is only
// read for the core's version and checked against the library actually loaded.
'use strict';

for (const name of ['log', 'info', 'debug']) console[name] = (...a) => console.error(...a);

const fs = require('fs');
const path = require('path');
const readline = require('readline');

function option(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const prefix = path.resolve(option('--prefix') || '/nonexistent');
const themis = require('jsthemis');
const rand = require('./rand/build/Release/sealcheck_rand.node');
const ERRORS = JSON.parse(fs.readFileSync(path.join(__dirname, 'errors.json'), 'utf8')).errors;

function loadedFrom(fragment) {
  const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\n');
  return [...new Set(maps.map((l) => l.split(/\s+/)[5]).filter((p) => p && p.includes(fragment)))];
}

const themisLibs = loadedFrom('libthemis.so');
if (themisLibs.length === 0 || !themisLibs.every((p) => p.startsWith(prefix + '/'))) {
  process.stderr.write(`jsthemis-adapter: the addon loaded ${themisLibs}, not the core in ${prefix}\n`);
  process.exit(2);
}

function pcVersion() {
  try {
    const pc = fs.readFileSync(path.join(prefix, 'lib', 'pkgconfig', 'libthemis.pc'), 'utf8');
    const m = pc.match(/^Version:\s*(.*)$/m);
    return m ? m[1].trim() : 'unknown';
  } catch (e) {
    return 'unknown';
  }
}

const OPS = ['themis.key.check', 'themis.sign', 'themis.verify', 'themis.encrypt', 'themis.decrypt'];
const HELLO = {
  protocol: 1,
  name: 'JsThemis',
  version: require('jsthemis/package.json').version,
  core: pcVersion(),
  // Inside Node the core's OpenSSL calls bind to the OpenSSL the node executable exports,
  // not to the libcrypto.so.3 libsoter names (README.md); this asks that same OpenSSL.
  backend: rand.opensslVersion(),
  ops: OPS,
};

class AdapterError extends Error {}

function hexArg(args, name) {
  const v = args ? args[name] : undefined;
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new AdapterError(`adapter: argument "${name}" missing or not hex`);
  }
  return Buffer.from(v, 'hex');
}

const EMPTY = Buffer.alloc(0);

function kindFromTag(key, isPrivate) {
  const tag = key.subarray(0, 3).toString('latin1');
  const family = { REC: 'ec', UEC: 'ec', RRA: 'rsa', URA: 'rsa' }[tag];
  if (!family) throw new AdapterError(`adapter: the library accepted a key with tag ${JSON.stringify(tag)}`);
  return `${family}_${isPrivate ? 'private' : 'public'}`;
}

// JsThemis validates keys in the SecureMessage constructor (themis_is_valid_asym_key and the
// kind); an empty key skips that and is refused when used.
function keyCheck(args) {
  const key = hexArg(args, 'key');
  if (key.length === 0) {
    new themis.SecureMessage(key, EMPTY).sign(Buffer.from([0]));
  }
  try {
    new themis.SecureMessage(key, EMPTY);
    return { kind: kindFromTag(key, true) };
  } catch (e) {
    if (!(e instanceof Error) || !e.message.endsWith('using public key instead of private key')) throw e;
  }
  new themis.SecureMessage(EMPTY, key);
  return { kind: kindFromTag(key, false) };
}

function sign(args) {
  const sm = new themis.SecureMessage(hexArg(args, 'private_key'), EMPTY);
  return { signed: sm.sign(hexArg(args, 'message')).toString('hex') };
}

function verify(args) {
  const sm = new themis.SecureMessage(EMPTY, hexArg(args, 'public_key'));
  return { message: sm.verify(hexArg(args, 'signed')).toString('hex') };
}

// The injected values in the order the core draws them (docs/PROTOCOL.md): EC only the IV;
// RSA the secret, then the OAEP seed (inside OpenSSL's OAEP padding), then the IV.
function draws(random) {
  if (typeof random !== 'object') throw new AdapterError('adapter: random is not an object');
  const order = 'secret' in random || 'oaep_seed' in random ? ['secret', 'oaep_seed', 'iv'] : ['iv'];
  if (Object.keys(random).length !== order.length) {
    throw new AdapterError(`adapter: random has fields ${Object.keys(random)}, expected ${order}`);
  }
  return order.map((name) => hexArg(random, name));
}

function encrypt(args) {
  const sm = new themis.SecureMessage(hexArg(args, 'private_key'), hexArg(args, 'peer_public_key'));
  const message = hexArg(args, 'message');
  if (args.random === undefined || args.random === null) {
    return { encrypted: sm.encrypt(message).toString('hex') };
  }
  rand.begin(draws(args.random));
  let out;
  try {
    out = sm.encrypt(message);
  } catch (e) {
    const end = rand.end();
    // -2: the method refused a draw out of order, so the failure is the adapter's.
    if (end.rc === -2) throw new AdapterError(`adapter: injected randomness: ${end.why}`);
    throw e;
  }
  const end = rand.end();
  if (end.rc !== 0) throw new AdapterError(`adapter: injected randomness: ${end.why}`);
  return { encrypted: out.toString('hex') };
}

function decrypt(args) {
  const sm = new themis.SecureMessage(hexArg(args, 'private_key'), hexArg(args, 'peer_public_key'));
  return { message: sm.decrypt(hexArg(args, 'encrypted')).toString('hex') };
}

const HANDLERS = {
  'themis.key.check': keyCheck,
  'themis.sign': sign,
  'themis.verify': verify,
  'themis.encrypt': encrypt,
  'themis.decrypt': decrypt,
};

function stageOf(op, message, code) {
  for (const e of ERRORS) {
    if ((e.op !== '*' && e.op !== op) || e.message !== message) continue;
    if (e.code !== undefined && e.code !== code) continue;
    return e.stage || undefined;
  }
  process.stderr.write(`jsthemis-adapter: unmapped error for ${op}: ${JSON.stringify(message)} (code ${code}); add it to errors.json\n`);
  return undefined;
}

function handle(req) {
  const id = req.id;
  if (req.op === 'hello') return { id, ok: HELLO };
  const handler = HANDLERS[req.op];
  if (!handler) return { id, unsupported: `op ${JSON.stringify(req.op)} is not implemented` };
  try {
    return { id, ok: handler(req.args || {}) };
  } catch (e) {
    if (e instanceof AdapterError) {
      process.stderr.write(`jsthemis-adapter: ${e.message}\n`);
      return { id, error: { message: e.message, code: 'adapter' } };
    }
    // JsThemis throws plain Errors carrying the core's status in `code` (errors.cpp WithStatus).
    if (e instanceof Error && typeof e.code === 'number') {
      const error = { message: e.message, code: String(e.code) };
      const stage = stageOf(req.op, e.message, error.code);
      if (stage) error.stage = stage;
      return { id, error };
    }
    process.stderr.write(`jsthemis-adapter: fatal error on request ${id}: ${e && e.stack ? e.stack : e}\n`);
    process.exit(70);
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', (line) => {
  if (line.trim() === '') return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    process.stderr.write(`jsthemis-adapter: ignoring a line that is not JSON: ${e.message}\n`);
    return;
  }
  process.stdout.write(JSON.stringify(handle(req)) + '\n');
});
rl.on('close', () => {
  process.stdout.write('', () => process.exit(0));
});
