// The `sealcheck peer` page in real headless Chromium: paste a known Mixin body and see its
// fields; paste a malformed one and see the first defect marked; send a Secure Message made
// by wasm-themis to the Themis peer and open the reply with wasm-themis; follow a Mixin
// request into the transcript. PEER_SCREENSHOT=FILE saves the page once it has all of that.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('crypto');
const { launch, watch } = require('../lib/chromium');
const { startPeer } = require('../lib/peer');

// wasm-themis loads its .wasm through fetch() when a global fetch exists, which fails for a
// file path; hide fetch while it initialises, then give it back for the HTTP calls below.
async function loadThemis() {
  const saved = globalThis.fetch;
  delete globalThis.fetch;
  const themis = require('wasm-themis');
  await themis.initialize();
  globalThis.fetch = saved;
  return themis;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const b64url = (buf) => Buffer.from(buf).toString('base64url');

// The Mixin desktop client's own test body (flutter-app encrypt_test.dart), as in the README.
const DESKTOP_BODY = 'AQEApm78Ps6VRCy0MCdUtYGEpBb8bxxaGYkn93pjgaP5RlDr9Z76fkRHmaAUmezSrhV59cj7xD+c9V37wRZPdFVgGTkjhv8FTrj25j/DERttJqIdPnzMLYgWmOA1VJ1PfoE8Jso0liRlFVywvX0ocX+LQw30r454kKsar2oXerP4';

// A JWT as the Mixin SDKs sign one: EdDSA with the session's ed25519 key, sig = SHA-256 of
// method + URI + body.
function token(session, userId, method, uri, body) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({
    uid: userId, sid: session.session_id, iat: now, exp: now + 60, jti: crypto.randomUUID(),
    sig: crypto.createHash('sha256').update(method + uri + body).digest('hex'), scp: 'FULL',
  }));
  const key = crypto.createPrivateKey({
    key: {
      kty: 'OKP', crv: 'Ed25519',
      d: b64url(Buffer.from(session.session_private_key, 'hex')),
      x: b64url(Buffer.from(session.ed25519_public_key, 'hex')),
    },
    format: 'jwk',
  });
  const sig = crypto.sign(null, Buffer.from(`${header}.${claims}`), key);
  return `${header}.${claims}.${b64url(sig)}`;
}

test('the peer page dissects, talks Themis and follows the transcript', async (t) => {
  const themis = await loadThemis();
  const peer = await startPeer(['--seed', '21']);
  const browser = await launch();
  t.after(async () => { await browser.close(); peer.stop(); });
  const page = await browser.context.newPage();
  const problems = watch(page);
  await page.goto(peer.url + '/');
  assert.equal(await page.title(), 'sealcheck peer');

  // 1. A known body: every field, the session id decoded, well formed.
  await page.fill('#inspect-input', DESKTOP_BODY);
  await page.click('#inspect-go');
  const d = page.locator('#inspect-dissection');
  await d.waitFor();
  assert.equal(await d.locator('.title').textContent(), 'Mixin encrypted message body (129 bytes)');
  assert.equal(await d.locator('.ok').textContent(), 'well formed');
  const idRow = d.locator('tr[data-field="session[0].id"] td');
  assert.deepEqual(await idRow.allTextContents(),
    ['session[0].id', '35', '16', 'ebf59efa7e444799a01499ecd2ae1579', 'ebf59efa-7e44-4799-a014-99ecd2ae1579']);
  assert.equal(await d.locator('tr.defect').count(), 0);

  // 2. A cut body: the first defect in words, its row marked.
  await page.fill('#inspect-input', '0101ff00');
  await page.click('#inspect-go');
  await page.locator('#inspect-dissection .problem').waitFor();
  assert.equal(await page.locator('#inspect-dissection .problem').textContent(),
    'first defect: body ends inside the sender key: it needs 32 bytes at offset 3, 1 remain');
  const marked = page.locator('#inspect-dissection tr.defect');
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.getAttribute('data-field'), '(unparsed)');
  assert.match(await marked.textContent(), /first defect/);

  // 3. A Secure Message made by wasm-themis for the peer's EC key, sent from the page; the
  //    reply, taken from the page, opens with wasm-themis.
  const peerEc = (await page.locator('#themis-key-ec .hex').textContent()).trim();
  const client = new themis.KeyPair();
  const peerKey = new themis.PublicKey(Buffer.from(peerEc, 'hex'));
  const box = new themis.SecureMessage(client.privateKey, peerKey);
  const sent = box.encrypt(Buffer.from('hello from wasm-themis'));
  await page.fill('#themis-message', Buffer.from(sent).toString('base64'));
  await page.fill('#themis-key', hex(client.publicKey));
  await page.click('#themis-send');
  await page.locator('#themis-verdict').waitFor();
  assert.equal(await page.locator('#themis-verdict').textContent(), 'valid EC encrypted message');
  assert.equal(await page.locator('#themis-plaintext dd.text').textContent(), 'hello from wasm-themis');
  await page.locator('#themis-reply').waitFor();
  const replyHex = (await page.locator('#themis-reply dd.hex').first().textContent()).replace(/^hex /, '');
  const opened = Buffer.from(box.decrypt(Buffer.from(replyHex, 'hex'))).toString();
  assert.equal(opened, 'sealcheck peer received: hello from wasm-themis');

  // 4. Mixin requests land in the transcript table: a fetch, a stale checksum (FAILED), and
  //    an unsigned send (unauthorized).
  const fx = await (await fetch(`${peer.url}/_peer/fixtures`, { headers: { 'X-Peer-Token': peer.token } })).json();
  const [bot, alice] = fx.data.users;
  const send = (uri, body, signed = true) => fetch(peer.url + uri, {
    method: 'POST', body,
    headers: signed ? { Authorization: `Bearer ${token(bot.sessions[0], bot.user_id, 'POST', uri, body)}` } : {},
  });
  assert.equal((await send('/sessions/fetch', JSON.stringify([alice.user_id]))).status, 200);
  const item = JSON.stringify([{
    conversation_id: crypto.randomUUID(), recipient_id: alice.user_id, message_id: crypto.randomUUID(),
    category: 'ENCRYPTED_TEXT', checksum: '0'.repeat(32), data_base64: 'AQ',
  }]);
  const failed = await (await send('/encrypted_messages', item)).json();
  assert.equal(failed.data[0].state, 'FAILED');
  assert.equal((await send('/encrypted_messages', '[]', false)).status, 401);

  const rows = page.locator('#transcript-table tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('#transcript-table tbody tr').length >= 3);
  assert.deepEqual(await rows.locator('td.verdict').allTextContents(), ['ok', 'FAILED', 'unauthorized']);
  assert.match(await rows.nth(1).textContent(), /is not the md5 of .*alice/);
  assert.match(await rows.nth(2).textContent(), /no Authorization header/);

  assert.deepEqual(problems, []);
  if (process.env.PEER_SCREENSHOT) {
    // The defect marked at the top, the reply, and the transcript, in one picture.
    await page.fill('#inspect-input', '0101ff00');
    await page.click('#inspect-go');
    await page.locator('#inspect-dissection tr.defect').waitFor();
    await page.screenshot({ path: process.env.PEER_SCREENSHOT, fullPage: true });
  }
});
