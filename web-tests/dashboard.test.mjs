// Browser tests of the Ashyq dashboard: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core, accessibility checked by axe-core. Run by crates/ashyq-cli/tests/browser.rs,
// which starts `ashyq demo` and passes:
//   ASHYQ_BASE          http://127.0.0.1:PORT
//   ASHYQ_TOKEN         a cec token for the synthetic election
//   ASHYQ_SYNTHETIC     the synthetic election's id
//   ASHYQ_PENDING_UNIT  a polling station that has not reported yet
//   ASHYQ_PENDING_BODY  its protocol, as the API takes it (JSON)
//   ASHYQ_SCREENSHOTS   folder for screenshots (CI artefacts)
//   ASHYQ_CHROMIUM      the browser (default /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createHash, generateKeyPairSync, sign as edSign } from 'node:crypto';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.ASHYQ_BASE;
const TOKEN = process.env.ASHYQ_TOKEN;
const SYN = process.env.ASHYQ_SYNTHETIC;
const PENDING_UNIT = process.env.ASHYQ_PENDING_UNIT;
const PENDING_BODY = process.env.ASHYQ_PENDING_BODY;
const SHOTS = process.env.ASHYQ_SCREENSHOTS || 'screenshots';
const LANGS = ['kk', 'ru', 'en'];
assert.ok(BASE && TOKEN && SYN && PENDING_UNIT && PENDING_BODY, 'the ASHYQ_* environment is set by crates/ashyq-cli/tests/browser.rs');
mkdirSync(SHOTS, { recursive: true });

let context;
let profile;

before(async () => {
  profile = mkdtempSync(join(tmpdir(), 'ashyq-chromium-'));
  // launchPersistentContext owns --user-data-dir: a fresh, empty profile for this run.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.ASHYQ_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
    // axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids.
    bypassCSP: true,
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const shotName = (path) => path.replace(/^\//, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'home';

async function openPage(path, { fullPage = false } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const resp = await page.goto(BASE + path, { waitUntil: 'load' });
  return { page, resp, errors, fullPage };
}

async function axe(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target})`);
  });
}

async function api(path) {
  const r = await fetch(BASE + path);
  assert.equal(r.status, 200, path);
  return r.json();
}

// Every page of the dashboard: election list, each election, its what-if, each contest (national
// page and integrity page), a region, a district and a station of the synthetic election, and the
// two widgets.
async function allPages() {
  const elections = await api('/api/v1/elections');
  const pages = ['/'];
  for (const e of elections) {
    pages.push(`/e/${e.id}`, `/e/${e.id}/what-if`);
    for (const c of e.contests) pages.push(`/e/${e.id}/c/${c.id}`, `/e/${e.id}/c/${c.id}/integrity`);
  }
  // Drill-down pages of the synthetic election, found from its results.
  const region = 'KZ-ALA';
  pages.push(`/e/${SYN}/c/president/u/${region}`);
  const tree = await regionChildren(region);
  pages.push(`/e/${SYN}/c/president/u/${tree.district}`, `/e/${SYN}/c/president/u/${tree.station}`);
  pages.push(`/embed/e/${SYN}/c/president/map`, `/embed/e/${SYN}/c/president/u/${region}`);
  return { elections, pages, ...tree };
}

async function regionChildren(region) {
  const page = await context.newPage();
  await page.goto(`${BASE}/e/${SYN}/c/president/u/${region}?lang=en`);
  const district = await page.locator('[data-child]').first().getAttribute('data-child');
  await page.goto(`${BASE}/e/${SYN}/c/president/u/${district}?lang=en`);
  // A station that has reported (its row names a leader).
  const station = await page.locator('tr:has(td .swatch) [data-child]').first().getAttribute('data-child');
  await page.close();
  return { district, station };
}

test('every page in every language: 200, <html lang>, translated heading, nothing left in English, no script errors, no axe violations', async () => {
  const { pages } = await allPages();
  assert.ok(pages.length > 20, `pages: ${pages.length}`);
  const problems = [];
  for (const path of pages) {
    for (const lang of LANGS) {
      const { page, resp, errors } = await openPage(`${path}?lang=${lang}`);
      const where = `${path}?lang=${lang}`;
      if (resp.status() !== 200) problems.push(`${where}: status ${resp.status()}`);
      const htmlLang = await page.getAttribute('html', 'lang');
      if (htmlLang !== lang) problems.push(`${where}: <html lang="${htmlLang}">`);
      const h1 = (await page.locator('h1').first().textContent()) || '';
      if (lang !== 'en' && !/[\u0400-\u04FF]/.test(h1)) problems.push(`${where}: the heading is not translated: ${h1}`);
      // No mixed-language pages: nothing in the page's main part is marked as English (an
      // untranslated rule, statement or explanation would be).
      if (lang !== 'en') {
        for (const t of await page.locator('main [lang="en"]').allTextContents()) problems.push(`${where}: left in English: ${t.slice(0, 120)}`);
      }
      const nav = await page.locator('nav.lang a[aria-current]').count();
      if (!path.startsWith('/embed') && nav !== 1) problems.push(`${where}: language switcher`);
      // Proof checks finish before the page is judged (their result text is part of it).
      await page.waitForFunction(() => [...document.querySelectorAll('[data-proof]')].every((b) => ['ok', 'failed'].includes(b.dataset.state)), null, { timeout: 15000 });
      const violations = await axe(page);
      for (const v of violations) problems.push(`${where}: axe ${v}`);
      for (const e of errors) problems.push(`${where}: script error ${e}`);
      const full = path === `/e/${SYN}/c/president` || path.includes('/u/') || path === '/';
      await page.screenshot({ path: join(SHOTS, `${shotName(path)}.${lang}.png`), fullPage: full });
      await page.close();
    }
  }
  assert.deepEqual(problems, []);
});

test('the language comes from Accept-Language when ?lang is absent, and numbers follow the locale', async () => {
  for (const [header, want] of [['ru-RU,ru;q=0.9,en;q=0.8', 'ru'], ['en-GB,en;q=0.9', 'en'], ['de-DE', 'kk']]) {
    const page = await context.newPage();
    await page.setExtraHTTPHeaders({ 'Accept-Language': header });
    await page.goto(`${BASE}/e/${SYN}/c/president`);
    assert.equal(await page.getAttribute('html', 'lang'), want, header);
    const facts = await page.locator('ul.facts').first().textContent();
    // Registered voters: grouped with a comma in English, a no-break space in Russian and Kazakh.
    if (want === 'en') assert.match(facts, /\d,\d{3},\d{3}/);
    else assert.match(facts, /\d\u00a0\d{3}\u00a0\d{3}/);
    await page.close();
  }
});

test('drill-down clicked through: list → election → contest → map region → district → station', async () => {
  const page = await context.newPage();
  await page.goto(`${BASE}/?lang=en`);
  await page.click(`a[href^="/e/${SYN}?"]`);
  await page.waitForURL(`**/e/${SYN}?lang=en`);
  await page.click(`a[href^="/e/${SYN}/c/president?"]`);
  await page.waitForURL(`**/e/${SYN}/c/president?lang=en`);
  // The map: keyboard-reachable links, one per unit; follow Almaty's.
  const almaty = page.locator('svg.map a:has(path[data-unit="KZ-ALA"])');
  await almaty.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/u/KZ-ALA?lang=en`);
  assert.match(await page.locator('h1').textContent(), /Almaty/);
  await page.locator('[data-child]').first().click();
  await page.waitForURL(/\/u\/KZ-ALA-\d+\?lang=en$/);
  await page.locator('[data-child]').first().click();
  await page.waitForURL(/\/u\/ALA-\d+\?lang=en$/);
  assert.ok(await page.locator('table[data-protocol] tr[data-line="registered"]').count() === 1, 'the station page shows its protocol');
  assert.ok(await page.locator('table[data-history] tbody tr').count() >= 1, 'and its version history');
  // The breadcrumbs lead back up.
  const crumbs = await page.locator('nav.crumbs li').allTextContents();
  assert.ok(crumbs.length >= 5, crumbs.join(' › '));
  await page.screenshot({ path: join(SHOTS, 'drill-down-station.en.png'), fullPage: true });
  await page.close();
});

test('one map shape per unit: 17 units before 8 June 2022, 20 after, each with data-unit', async () => {
  const cases = [['kz-2022-06-05', 'referendum', 17], ['kz-2023-03-19', 'mazhilis-list', 20], [SYN, 'president', 20]];
  for (const [e, c, n] of cases) {
    const page = await context.newPage();
    await page.goto(`${BASE}/e/${e}/c/${c}?lang=en`);
    const shapes = await page.locator('svg.map path[data-unit]').evaluateAll((ps) => ps.map((p) => p.dataset.unit));
    assert.equal(shapes.length, n, `${e}: ${shapes.length} shapes`);
    assert.equal(new Set(shapes).size, n, `${e}: every shape once`);
    const units = await page.locator('[data-child]').evaluateAll((as) => as.map((a) => a.dataset.child));
    assert.deepEqual([...units].sort(), [...shapes].sort(), `${e}: the shapes are the election's first-level units`);
    assert.match(await page.locator('.attribution').textContent(), /CC BY 4\.0/);
    await page.close();
  }
});

async function stationWithProof() {
  const page = await context.newPage();
  const { station } = await regionChildren('KZ-AST');
  return { page, path: `/e/${SYN}/c/president/u/${station}`, station };
}

test('reporting progress over the night: a step chart for the election night, one sentence for an import', async () => {
  const page = await context.newPage();
  await page.goto(`${BASE}/e/${SYN}/c/president?lang=en`);
  const chart = page.locator('section.arrivals svg[data-chart="arrivals"]');
  assert.equal(await chart.count(), 1);
  const d = await chart.locator('path').getAttribute('d');
  assert.ok((d.match(/V/g) || []).length > 50, `the curve climbs in many steps: ${d.slice(0, 80)}`);
  assert.match(await page.locator('section.arrivals figcaption').textContent(), /protocols received between 19 March 2023, 15:00 \(UTC\+00:00\) and/);
  await chart.screenshot({ path: join(SHOTS, 'arrivals.en.png') });
  await page.goto(`${BASE}/e/kz-2022-11-20/c/president?lang=ru`);
  assert.match(await page.locator('section.arrivals').textContent(), /записаны одновременно/);
  assert.equal(await page.locator('section.arrivals svg').count(), 0);
  await page.close();
});

test('the proof check passes in the browser on the intact record', async () => {
  const { page, path } = await stationWithProof();
  for (const lang of LANGS) {
    await page.goto(`${BASE}${path}?lang=${lang}`);
    const box = page.locator('[data-proof]');
    await page.waitForFunction(() => ['ok', 'failed'].includes(document.querySelector('[data-proof]').dataset.state), null, { timeout: 15000 });
    assert.equal(await box.getAttribute('data-state'), 'ok', await box.textContent());
    if (lang === 'en') assert.match(await box.locator('.status').textContent(), /Verified in your browser against the commission's key/);
    assert.equal(await box.getAttribute('data-signed'), 'unsigned', 'Astana\'s commissions do not sign in the demo');
  }
  await page.screenshot({ path: join(SHOTS, 'proof-verified.en.png'), fullPage: true });
  await page.close();
});

test('the proof check fails, saying what failed, on a tampered proof, leaf or signature', async () => {
  const { page, path, station } = await stationWithProof();
  const apiPath = `/api/v1/elections/${SYN}/protocols/president/${station}`;
  const tamper = {
    FailRoot: (d) => { const h = d.proof.path[0]; d.proof.path[0] = (h[0] === '0' ? '1' : '0') + h.slice(1); },
    FailLeafMismatch: (d) => {
      const leaf = JSON.parse(Buffer.from(d.proof.leaf, 'base64').toString());
      leaf.lines.registered += 1;
      d.proof.leaf = Buffer.from(JSON.stringify(leaf)).toString('base64');
    },
    FailLeafHash: (d) => { d.proof.leaf_hash = '00'.repeat(32); },
    FailSignature: (d) => {
      const lines = d.proof.checkpoint.split('\n');
      const i = lines.findIndex((l) => l.startsWith('\u2014 '));
      const [dash, name, sig] = lines[i].split(' ');
      const raw = Buffer.from(sig, 'base64');
      raw[10] ^= 1;
      lines[i] = [dash, name, raw.toString('base64')].join(' ');
      d.proof.checkpoint = lines.join('\n');
    },
  };
  for (const [want, change] of Object.entries(tamper)) {
    await page.unroute('**/api/v1/**');
    await page.route(`**${apiPath}`, async (route) => {
      const resp = await route.fetch();
      const doc = await resp.json();
      change(doc);
      await route.fulfill({ response: resp, json: doc });
    });
    await page.goto(`${BASE}${path}?lang=en`);
    await page.waitForFunction(() => ['ok', 'failed'].includes(document.querySelector('[data-proof]').dataset.state), null, { timeout: 15000 });
    const box = page.locator('[data-proof]');
    assert.equal(await box.getAttribute('data-state'), 'failed', `${want}: ${await box.textContent()}`);
    assert.equal(await box.getAttribute('data-failure'), want);
    assert.match(await box.locator('.status').textContent(), /Check failed: /);
    await page.screenshot({ path: join(SHOTS, `proof-${want}.en.png`) });
  }
  await page.close();
});

const sha = (...parts) => createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();

// RFC 9162 §2.1.3.2 (as app.js does it): the root a leaf hash and its audit path lead to.
function rootFromPath(index, size, leafHash, path) {
  let fn = BigInt(index), sn = BigInt(size) - 1n, r = leafHash;
  for (const p of path) {
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha([1], p, r);
      if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
    } else {
      r = sha([1], r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return r;
}

// What an operator who controls the server can do: put `bytes` in place of the proof's leaf,
// recompute the leaf hash and the root along the same path, and sign a checkpoint of that root
// with a key of its own, served as the commission's key.
function resignUnderOwnKey(d, bytes) {
  const leafHash = sha([0], bytes);
  const root = rootFromPath(d.proof.leaf_index, d.proof.tree_size, leafHash, d.proof.path.map((h) => Buffer.from(h, 'hex')));
  const origin = d.proof.checkpoint.split('\n')[0];
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const keyId = sha(Buffer.from(origin), [0x0a, 0x01], pub).subarray(0, 4);
  const text = `${origin}\n${d.proof.tree_size}\n${root.toString('base64')}\n`;
  const signature = edSign(null, Buffer.from(text), privateKey);
  d.proof.checkpoint = `${text}\n\u2014 ${origin} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
  d.verifier_key = `${origin}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), pub]).toString('base64')}`;
  d.proof.leaf = bytes.toString('base64');
  d.proof.leaf_hash = leafHash.toString('hex');
  d.proof.root_hash = root.toString('hex');
}

test('a record re-signed under another key fails in a browser that saw the commission\'s key before', async () => {
  const { page, path, station } = await stationWithProof();
  const apiPath = `/api/v1/elections/${SYN}/protocols/president/${station}`;
  const settle = () => page.waitForFunction(() => ['ok', 'failed'].includes(document.querySelector('[data-proof]').dataset.state), null, { timeout: 15000 });
  await page.goto(`${BASE}${path}?lang=en`);
  await settle();
  assert.equal(await page.locator('[data-proof]').getAttribute('data-state'), 'ok');
  // The same protocol, its leaf untouched, under a key of the operator's own: consistent in
  // itself, so only the key this browser remembers can tell.
  await page.route(`**${apiPath}`, async (route) => {
    const resp = await route.fetch();
    const d = await resp.json();
    resignUnderOwnKey(d, Buffer.from(d.proof.leaf, 'base64'));
    await route.fulfill({ response: resp, json: d });
  });
  await page.goto(`${BASE}${path}?lang=en`);
  await settle();
  const box = page.locator('[data-proof]');
  assert.equal(await box.getAttribute('data-state'), 'failed', await box.textContent());
  assert.equal(await box.getAttribute('data-failure'), 'FailKeyChanged');
  assert.match(await box.locator('.details').textContent(), /Seen before: ashyq\/.+; now: ashyq\//);
  await page.screenshot({ path: join(SHOTS, 'proof-FailKeyChanged.en.png') });
  // A reader who never saw the real key is not protected: the forged key checks out.
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${BASE}${path}?lang=en`);
  await settle();
  assert.equal(await box.getAttribute('data-state'), 'ok', 'trust on first use: the first key seen is the one held');
  await page.unroute(`**${apiPath}`);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

test("a precinct commission's own signature is checked in the browser, and an operator who re-signs the log cannot forge it", async () => {
  const page = await context.newPage();
  const { station } = await regionChildren('KZ-ALA');
  const path = `/e/${SYN}/c/president/u/${station}`;
  const apiPath = `/api/v1/elections/${SYN}/protocols/president/${station}`;
  const settle = () => page.waitForFunction(() => ['ok', 'failed'].includes(document.querySelector('[data-proof]').dataset.state), null, { timeout: 15000 });
  for (const lang of LANGS) {
    await page.goto(`${BASE}${path}?lang=${lang}`);
    await settle();
    const box = page.locator('[data-proof]');
    assert.equal(await box.getAttribute('data-state'), 'ok', await box.textContent());
    assert.equal(await box.getAttribute('data-signed'), 'verified');
    assert.equal(await page.locator('[data-history] [data-signed-key]').count(), 1, 'the history names the key without JavaScript too');
    if (lang === 'en') assert.match(await box.locator('.status').textContent(), /precinct commission's own signature of these lines \(key [A-Za-z0-9+/=]{44}\) verified in your browser/);
  }
  await page.screenshot({ path: join(SHOTS, 'proof-commission-signed.en.png'), fullPage: true });
  // The operator changes the signature in the leaf, recomputes the leaf hash and the root, and
  // signs a new checkpoint with a key of its own: everything the log's key covers checks out,
  // the commission's signature does not. (A reader new to the site: nothing pinned yet.)
  await page.evaluate(() => localStorage.clear());
  await page.route(`**${apiPath}`, async (route) => {
    const resp = await route.fetch();
    const d = await resp.json();
    const leaf = JSON.parse(Buffer.from(d.proof.leaf, 'base64').toString());
    const sig = Buffer.from(leaf.signature.signature, 'base64');
    sig[5] ^= 1;
    leaf.signature.signature = sig.toString('base64');
    resignUnderOwnKey(d, Buffer.from(JSON.stringify(leaf)));
    await route.fulfill({ response: resp, json: d });
  });
  await page.goto(`${BASE}${path}?lang=en`);
  await settle();
  const box = page.locator('[data-proof]');
  assert.equal(await box.getAttribute('data-state'), 'failed', await box.textContent());
  assert.equal(await box.getAttribute('data-failure'), 'FailCommissionSignature');
  assert.match(await box.locator('.status').textContent(), /signature does not match these lines/);
  await page.screenshot({ path: join(SHOTS, 'proof-FailCommissionSignature.en.png') });
  await page.close();
});

test('a live update appears after a protocol is submitted through the API', async () => {
  const page = await context.newPage();
  // The pending station's district page, subscribed to the event stream.
  await page.goto(`${BASE}/e/${SYN}/c/president/u/${PENDING_UNIT}?lang=en`);
  assert.match(await page.locator('#live-region').textContent(), /has not arrived yet/);
  const crumbs = page.locator('nav.crumbs a');
  const district = await crumbs.nth((await crumbs.count()) - 2).getAttribute('href');
  await page.goto(BASE + district);
  await page.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout: 10000 });
  const before = Number(await page.locator('#live-region .progress').getAttribute('aria-valuenow'));
  const r = await fetch(`${BASE}/api/v1/elections/${SYN}/protocols`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: PENDING_BODY,
  });
  assert.equal(r.status, 201, await r.text());
  await page.waitForFunction((n) => Number(document.querySelector('#live-region .progress').getAttribute('aria-valuenow')) === n + 1, before, { timeout: 30000 });
  assert.match(await page.locator('#live-status').textContent(), /Updated: 1 new protocol/);
  await page.screenshot({ path: join(SHOTS, 'live-update.en.png'), fullPage: true });
  // The station's page now shows the protocol, and it verifies against the new checkpoint.
  await page.goto(`${BASE}/e/${SYN}/c/president/u/${PENDING_UNIT}?lang=en`);
  try {
    await page.waitForFunction(() => ['ok', 'failed'].includes(document.querySelector('[data-proof]')?.dataset.state), null, { timeout: 30000 });
  } catch (e) {
    throw new Error(`the station page after the update: ${await page.locator('main').textContent()}`);
  }
  assert.equal(await page.locator('[data-proof]').getAttribute('data-state'), 'ok', await page.locator('[data-proof]').textContent());
  await page.close();
});

test('the pages work without JavaScript', async () => {
  const page = await context.newPage();
  await page.route(/\/static\/app\..*\.js$/, (route) => route.abort());
  await page.goto(`${BASE}/e/${SYN}/c/president?lang=kk`);
  assert.ok(await page.locator('svg.map path[data-unit]').count() === 20);
  assert.ok(await page.locator('.outcome').count() === 1);
  await page.close();
});
