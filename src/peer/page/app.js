// The peer's page: calls the peer's own JSON routes and renders what they say.
// No framework; every value from the server goes into the page as text, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// POSTs JSON and returns the envelope's data, or throws the envelope's error in words.
async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch (_) {
    throw new Error(`HTTP ${r.status}: ${text.slice(0, 200)}`);
  }
  if (json.error) {
    const e = json.error;
    const reason = e.extra && e.extra.reason ? ` — ${e.extra.reason}` : '';
    throw new Error(`${e.code} ${e.description}${reason}`);
  }
  return json.data;
}

// A dissection as a table; the row the first defect is about is marked.
function dissectionView(d, id) {
  const box = el('div', { class: 'dissection', id });
  box.append(el('p', { class: 'title' }, `${d.title} (${d.length} bytes)`));
  if (d.problem) {
    box.append(el('p', { class: 'problem' }, 'first defect: ', el('strong', {}, d.problem)));
  } else {
    box.append(el('p', { class: 'ok' }, 'well formed'));
  }
  const table = el('table', { class: 'fields' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'field'), el('th', {}, 'offset'),
    el('th', {}, 'length'), el('th', {}, 'hex'), el('th', {}, 'reading'))));
  const body = el('tbody');
  d.fields.forEach((f, i) => {
    const marked = d.marked === i;
    const tr = el('tr', marked ? { class: 'defect', 'data-field': f.name } : { 'data-field': f.name },
      el('td', {}, f.name, marked ? el('span', { class: 'mark' }, ' ◀ first defect') : null),
      el('td', { class: 'num' }, f.offset),
      el('td', { class: 'num' }, f.length),
      el('td', { class: 'hex' }, f.hex),
      el('td', {}, f.note));
    body.append(tr);
  });
  table.append(body);
  box.append(table);
  const details = el('details', {}, el('summary', {}, 'as sealcheck inspect prints it'), el('pre', {}, d.text));
  box.append(details);
  return box;
}

function bytesView(label, b) {
  if (!b) return null;
  const rows = [el('dt', {}, label)];
  if (b.utf8 !== undefined && b.utf8 !== null) rows.push(el('dd', { class: 'text' }, b.utf8));
  rows.push(el('dd', { class: 'hex' }, `hex ${b.hex}`));
  rows.push(el('dd', { class: 'hex' }, `base64 ${b.base64}`));
  return rows;
}

// ---- inspect ----

async function inspect() {
  const out = $('inspect-out');
  out.replaceChildren('…');
  try {
    const body = { input: $('inspect-input').value.trim() };
    const format = $('inspect-format').value;
    if (format) body.format = format;
    const d = await call('POST', '/inspect', body);
    out.replaceChildren(dissectionView(d, 'inspect-dissection'));
  } catch (e) {
    out.replaceChildren(el('p', { class: 'problem' }, e.message));
  }
}

// ---- Themis ----

async function loadKeys() {
  const box = $('themis-keys');
  try {
    const keys = await call('GET', '/themis/keys');
    box.replaceChildren();
    for (const [name, k] of Object.entries(keys)) {
      box.append(el('div', { class: 'key', id: `themis-key-${name}` },
        el('strong', {}, `${name.toUpperCase()} public key`), ` ${k.container}`,
        el('div', { class: 'hex' }, k.public_key)));
    }
  } catch (e) {
    box.replaceChildren(el('p', { class: 'problem' }, e.message));
  }
}

async function sendThemis() {
  const out = $('themis-out');
  out.replaceChildren('…');
  try {
    const a = await call('POST', '/themis/message', {
      message: $('themis-message').value.trim(),
      public_key: $('themis-key').value.trim(),
    });
    const verdict = el('p', { class: a.verdict === 'valid' ? 'ok' : 'problem', id: 'themis-verdict' },
      `${a.verdict}${a.kind ? ` ${a.kind} message` : ''}`,
      a.stage ? ` — rejected at ${a.stage}: ${a.reason}` : '');
    const parts = [verdict];
    const dl = el('dl', { id: 'themis-plaintext' });
    (bytesView('plaintext', a.plaintext) || []).forEach((x) => dl.append(x));
    parts.push(dl);
    parts.push(dissectionView(a.dissection, 'themis-dissection'));
    if (a.reply) {
      const r = el('div', { class: 'reply', id: 'themis-reply' }, el('h3', {}, `The peer's reply (${a.reply.mode})`));
      const rdl = el('dl');
      (bytesView('reply message', a.reply.message) || []).forEach((x) => rdl.append(x));
      (bytesView('says', a.reply.plaintext) || []).forEach((x) => rdl.append(x));
      rdl.append(el('dt', {}, a.reply.mode === 'signed' ? 'verify with the peer key' : 'decrypt with your private key and the peer key'),
        el('dd', { class: 'hex' }, a.reply.peer_public_key.hex));
      r.append(rdl);
      parts.push(r);
    } else if (a.reason && a.verdict === 'valid') {
      parts.push(el('p', { class: 'problem' }, a.reason));
    }
    out.replaceChildren(...parts);
  } catch (e) {
    out.replaceChildren(el('p', { class: 'problem' }, e.message));
  }
}

// ---- transcript ----

let last = 0;
const MIXIN = /^\/(sessions\/fetch|encrypted_messages)/;

function itemsView(items) {
  const ul = el('ul', { class: 'items' });
  for (const it of items) {
    const li = el('li', { class: `verdict-${it.verdict}` },
      el('strong', {}, `item ${it.index} ${it.verdict}`),
      it.message_id ? ` message ${it.message_id}` : '',
      it.stage ? ` (stage ${it.stage})` : '');
    const sub = el('ul');
    for (const r of it.reasons || []) sub.append(el('li', { class: 'reason' }, r));
    for (const n of it.notes || []) sub.append(el('li', { class: 'note' }, n));
    if (it.plaintext) {
      sub.append(el('li', { class: 'note' }, `plaintext (${it.plaintext.length} bytes): `,
        el('code', {}, it.plaintext.utf8 !== undefined ? it.plaintext.utf8 : it.plaintext.hex)));
    }
    li.append(sub);
    ul.append(li);
  }
  return ul;
}

function entryRow(e) {
  const cell = el('td');
  // Items carry their own reasons; the request's are shown when there are no items.
  if (e.items) cell.append(itemsView(e.items));
  else for (const r of e.reasons || []) cell.append(el('div', { class: 'reason' }, r));
  const time = new Date(e.time_ms).toLocaleTimeString();
  return el('tr', { class: `verdict-${e.verdict}`, 'data-seq': e.seq, 'data-uri': e.uri },
    el('td', { class: 'num' }, e.seq), el('td', {}, time),
    el('td', {}, `${e.method} ${e.uri}`), el('td', { class: 'num' }, e.status),
    el('td', { class: 'verdict' }, e.verdict), cell);
}

async function poll() {
  if ($('transcript-follow').checked) {
    try {
      const t = await call('GET', `/_peer/transcript?since=${last}`);
      const body = $('transcript-table').tBodies[0];
      const mixinOnly = $('transcript-mixin-only').checked;
      for (const e of t.entries) {
        last = Math.max(last, e.seq);
        if (mixinOnly && !MIXIN.test(e.uri)) continue;
        body.append(entryRow(e));
      }
      $('transcript-status').textContent = `${t.last} requests so far`;
    } catch (e) {
      $('transcript-status').textContent = `cannot read the transcript: ${e.message}`;
    }
  }
  setTimeout(poll, 1000);
}

$('inspect-go').addEventListener('click', inspect);
$('themis-send').addEventListener('click', sendThemis);
$('transcript-mixin-only').addEventListener('change', () => {
  last = 0;
  $('transcript-table').tBodies[0].replaceChildren();
});
loadKeys();
poll();
