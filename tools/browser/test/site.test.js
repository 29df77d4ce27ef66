// The static site of `sealcheck site` in real headless Chromium, from file:// URLs: the
// overview renders its matrix, a link leads to a vector page whose id, dissection and
// implementation results are on it, the search box finds vectors by id and comment and leads
// to them, an interop cell link lands on its cell, and no link of any page is broken (every
// href and src of every page resolves to a file of the site, and every #fragment to an id).
//
//   SITE_DIR=target/site node --test tools/browser/test/site.test.js
//   SITE_SCREENSHOTS=docs also saves docs/site-overview.png and docs/site-vector.png
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { launch, watch } = require('../lib/chromium');

const SITE = path.resolve(process.env.SITE_DIR || path.join(__dirname, '../../../target/site'));
const SHOTS = process.env.SITE_SCREENSHOTS ? path.resolve(process.env.SITE_SCREENSHOTS) : null;
const url = (rel) => pathToFileURL(path.join(SITE, rel)).href;

function htmlFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

test('every href and src of every page resolves to a file of the site, and every fragment to an id', () => {
  assert.ok(fs.existsSync(path.join(SITE, 'index.html')), `no site in ${SITE}: run sealcheck site --out ${SITE}`);
  const files = htmlFiles(SITE);
  assert.ok(files.length > 1000, `${files.length} pages`);
  const idCache = new Map();
  const idsOf = (file) => {
    if (!idCache.has(file)) {
      const ids = new Set();
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\sid="([^"]*)"/g)) ids.add(unescape(m[1]));
      idCache.set(file, ids);
    }
    return idCache.get(file);
  };
  let links = 0;
  const broken = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const href = unescape(m[1]);
      links++;
      if (/^[a-z]+:/i.test(href)) { broken.push(`${path.relative(SITE, file)}: external ${href}`); continue; }
      const [rel, fragment] = href.split('#');
      const target = rel ? path.resolve(path.dirname(file), decodeURI(rel)) : file;
      if (!target.startsWith(SITE + path.sep) || !fs.existsSync(target)) {
        broken.push(`${path.relative(SITE, file)}: ${href}`);
      } else if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) {
        broken.push(`${path.relative(SITE, file)}: ${href} (no id ${fragment})`);
      }
    }
  }
  assert.deepEqual(broken.slice(0, 20), [], `${broken.length} broken of ${links} links`);
  assert.ok(links > 10000, `${links} links checked`);
});

test('overview, a vector page, the search box and an interop cell in Chromium', async (t) => {
  const browser = await launch({ width: 1400, height: 1000 });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  const problems = watch(page);

  // The overview: the implementations × ops matrix.
  await page.goto(url('index.html'));
  assert.equal(await page.title(), 'overview · sealcheck');
  assert.equal(await page.locator('h1').textContent(), 'Conformance of real implementations');
  const rows = page.locator('table.matrix').first().locator('tbody tr');
  assert.ok((await rows.count()) >= 4, 'a row per implementation');
  const header = await page.locator('table.matrix').first().locator('thead').textContent();
  for (const op of ['mixin.encrypt', 'mixin.decrypt', 'themis.sign', 'themis.verify']) assert.ok(header.includes(op), op);
  assert.ok(await page.locator('table.matrix td.ok').count() > 0, 'conforming cells');
  assert.ok(await page.locator('table.matrix td.bad').count() > 0, 'failing cells');
  assert.ok(await page.locator('a[href="interop/index.html"]').count() > 0, 'links to the interop matrix');
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'site-overview.png'), fullPage: true });

  // Follow links: the vector list, then one vector.
  await page.click('header nav a[href="vectors.html"]');
  assert.equal(await page.title(), 'vectors · sealcheck');
  const id = 'mixin.decrypt/session_count/three-sessions-truncated-inside-block-1-iv';
  const link = page.locator('ul.vectors a', { hasText: id }).first();
  assert.equal(await link.count(), 1, `${id} is listed`);
  await link.click();
  assert.ok(page.url().endsWith('/v/mixin.decrypt~session_5fcount~three-sessions-truncated-inside-block-1-iv.html'), page.url());
  assert.equal(await page.locator('h1.vector-id').textContent(), id);
  assert.ok((await page.locator('p.comment').textContent()).length > 20, 'its comment');
  assert.ok(await page.locator('table.dissection caption', { hasText: 'Mixin encrypted message body' }).count() > 0, 'the body dissected');
  assert.ok(await page.locator('table.dissection td', { hasText: 'session_count' }).count() > 0);
  assert.ok(await page.locator('table.did tbody tr').count() >= 3, 'what each Mixin implementation did');
  assert.ok(await page.locator('table.did td', { hasText: 'crashed' }).count() >= 2, 'the Go libraries panic on it');
  const verdict = await page.locator('#expected + dl .verdict').first().textContent();
  assert.ok(['valid', 'invalid', 'acceptable'].includes(verdict), verdict);

  // The search box, from a vector page (one folder down): ids and comments.
  await page.fill('#q', 'session_count truncated');
  await page.waitForSelector('#results li a');
  const found = await page.locator('#results li a').allTextContents();
  assert.ok(found.length > 0 && found.every((x) => x.includes('session_count')), found.join(', '));
  await page.fill('#q', 'ec-type-low-byte-00');
  await page.waitForFunction(() => [...document.querySelectorAll('#results li a')].some((a) => a.textContent.includes('ec-type-low-byte-00')));
  const target = (await page.locator('#results li a').first().textContent()).trim();
  await page.press('#q', 'Enter');
  await page.waitForURL(/ec-type-low-byte-00\.html$/);
  assert.equal(await page.locator('h1.vector-id').textContent(), target);
  assert.ok(await page.locator('#flags').count() === 1, 'a vector with flags shows them');
  await page.fill('#q', 'no such vector anywhere zzzz');
  await page.waitForSelector('#results li.none');
  if (SHOTS) {
    await page.fill('#q', '');
    await page.screenshot({ path: path.join(SHOTS, 'site-vector.png'), fullPage: false });
  }

  // The interop matrix: a cell link lands on its cell.
  await page.click('header nav a[href="../interop/index.html"]');
  assert.equal(await page.locator('h1').textContent(), 'Interoperability matrix');
  // The committed matrix has failing cells (reports/interop-expectations.json): follow one.
  const cellLink = page.locator('table.matrix.interop td.bad a').last();
  assert.equal(await cellLink.count(), 1, 'a failing interop cell with a link');
  const href = await cellLink.getAttribute('href');
  const anchor = href.split('#')[1];
  assert.ok(anchor && anchor.startsWith('cell-'), href);
  await cellLink.click();
  await page.waitForURL((u) => u.hash === `#${anchor}`);
  assert.equal(await page.locator(`[id="${anchor}"]`).count(), 1, `cell ${anchor}`);
  assert.ok(await page.locator('h2', { hasText: 'Produced messages' }).count() === 1);

  assert.deepEqual(problems, [], 'no console errors or failed loads');
});
