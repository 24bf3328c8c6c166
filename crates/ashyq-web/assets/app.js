// Ashyq dashboard: progressive enhancement only (every page works without it).
// 1. The proof check: a station page's protocol is checked in the reader's browser against the
//    commission's key (RFC 9162 inclusion proof, C2SP signed-note checkpoint; WebCrypto
//    SHA-256 and Ed25519), and, when the precinct commission signed it with its own key, that
//    signature too (the statement of crates/ashyq-record/src/statement.rs).
// 2. Live updates: the election's Server-Sent Events stream; when a change touches the page's
//    unit, the page's live region is fetched again and swapped in, and announced politely.
(() => {
  'use strict';
  const $ = (s, r = document) => r.querySelector(s);
  const el = $('#ashyq-i18n');
  const msgs = el ? JSON.parse(el.textContent) : {};
  const t = (k, a = {}) => (msgs[k] || k).replace(/\{(\w+)\}/g, (_, n) => (n in a ? String(a[n]) : ''));

  class Fail extends Error { constructor(key, details = '') { super(key); this.key = key; this.details = details; } }

  // The commission's key as this browser first saw it, per log origin (trust on first use, as
  // SSH does): a later page served with another key fails, whatever that key signs.
  const PINS = 'ashyq-verifier-keys';
  const pins = () => { try { return JSON.parse(localStorage.getItem(PINS) || '{}') || {}; } catch { return {}; } };
  const pin = (origin, key) => {
    try { const all = pins(); all[origin] = key; localStorage.setItem(PINS, JSON.stringify(all)); } catch { /* storage off: nothing pinned */ }
  };

  const b64 = (s) => { try { return Uint8Array.from(atob(s), (c) => c.charCodeAt(0)); } catch { throw new Fail('FailLeafHash'); } };
  const hex = (u) => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');
  const unhex = (s) => {
    if (!/^([0-9a-f]{2}){32}$/.test(s)) throw new Fail('FailRoot');
    return new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
  };
  const cat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0;
    for (const p of parts) { out.set(p, i); i += p.length; }
    return out;
  };
  const sha256 = async (u) => new Uint8Array(await crypto.subtle.digest('SHA-256', u));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // RFC 9162 §2.1.3.2: the root a leaf hash and its audit path lead to.
  async function rootFromPath(index, size, leafHash, path) {
    if (!(index < size)) throw new Fail('FailRoot');
    let fn = BigInt(index), sn = BigInt(size) - 1n, r = leafHash;
    for (const p of path) {
      if (sn === 0n) throw new Fail('FailRoot');
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(cat([1], p, r));
        if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
      } else {
        r = await sha256(cat([1], r, p));
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Fail('FailRoot');
    return r;
  }

  // C2SP signed-note: the text up to and including the newline before the blank line, signed
  // by `— NAME base64(key id ‖ signature)`; the verifier key is `NAME+HEXID+base64(0x01 ‖ key)`.
  async function openNote(note, verifierKey) {
    // The name and the id contain no '+'; the base64 key may.
    const vk = verifierKey.trim();
    const i = vk.indexOf('+'), j = vk.indexOf('+', i + 1);
    if (i < 1 || j < 0) throw new Fail('FailSignature');
    const name = vk.slice(0, i), idHex = vk.slice(i + 1, j), keyB64 = vk.slice(j + 1);
    const raw = b64(keyB64);
    if (raw.length !== 33 || raw[0] !== 1) throw new Fail('FailSignature');
    const split = note.lastIndexOf('\n\n');
    if (split < 0 || !note.endsWith('\n')) throw new Fail('FailSignature');
    const text = note.slice(0, split + 1);
    let key;
    try {
      key = await crypto.subtle.importKey('raw', raw.slice(1), { name: 'Ed25519' }, false, ['verify']);
    } catch { throw new Fail('FailNoCrypto'); }
    for (const line of note.slice(split + 2).split('\n')) {
      if (!line.startsWith('\u2014 ')) continue;
      const [n, sig] = line.slice(2).split(' ');
      if (n !== name || !sig) continue;
      const blob = b64(sig);
      if (blob.length !== 68 || hex(blob.slice(0, 4)) !== idHex) continue;
      if (await crypto.subtle.verify({ name: 'Ed25519' }, key, blob.slice(4), new TextEncoder().encode(text))) return text;
      throw new Fail('FailSignature');
    }
    throw new Fail('FailSignature');
  }

  // A precinct commission's own signature of its protocol: Ed25519 over "ashyq protocol
  // statement v1", the election, contest and unit, and every line sorted by name.
  async function commissionSignature(entry) {
    const s = entry.signature;
    if (!s || typeof s.key !== 'string' || typeof s.signature !== 'string') throw new Fail('FailCommissionSignature');
    const names = Object.keys(entry.lines || {}).sort();
    const text = `ashyq protocol statement v1\nelection ${entry.election}\ncontest ${entry.contest}\nunit ${entry.unit}\n` +
      names.map((n) => `${n} ${entry.lines[n]}\n`).join('');
    const raw = b64(s.key), sig = b64(s.signature);
    if (raw.length !== 32 || sig.length !== 64) throw new Fail('FailCommissionSignature');
    let key;
    try {
      key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    } catch { throw new Fail('FailNoCrypto'); }
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, new TextEncoder().encode(text)))) {
      throw new Fail('FailCommissionSignature');
    }
    return s.key;
  }

  function sameLines(a, b) {
    const ka = Object.keys(a || {}).sort(), kb = Object.keys(b || {}).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
  }

  async function check(box) {
    const status = $('.status', box), details = $('.details', box);
    box.dataset.state = 'checking';
    status.textContent = t('ProofChecking');
    details.textContent = '';
    try {
      let doc;
      try {
        const r = await fetch(box.dataset.proof, { headers: { accept: 'application/json' }, cache: 'no-store' });
        if (!r.ok) throw new Error(String(r.status));
        doc = await r.json();
      } catch (e) { if (e instanceof Fail) throw e; throw new Fail('FailFetch'); }
      const p = doc.proof;
      if (!p || !doc.verifier_key) throw new Fail('FailUnsigned');
      const origin = String(doc.verifier_key).split('+')[0];
      const seen = pins()[origin];
      if (seen && seen !== doc.verifier_key) {
        throw new Fail('FailKeyChanged', t('KeyChangedDetails', { before: seen, now: doc.verifier_key }));
      }
      // 1. The log entry is the protocol this page shows.
      const leaf = b64(p.leaf);
      let entry;
      try { entry = JSON.parse(new TextDecoder().decode(leaf)); } catch { throw new Fail('FailLeafMismatch'); }
      const want = JSON.parse(box.dataset.expect || '{}');
      if (entry.leaf !== 'ashyq/protocol' || entry.election !== want.election || entry.contest !== want.contest ||
          entry.unit !== want.unit || entry.version !== want.version || !sameLines(entry.lines, want.lines)) {
        throw new Fail('FailLeafMismatch');
      }
      // 2. Its hash, SHA-256(0x00 ‖ leaf).
      const leafHash = await sha256(cat([0], leaf));
      if (hex(leafHash) !== p.leaf_hash) throw new Fail('FailLeafHash');
      // 3. The audit path to a root.
      const root = await rootFromPath(p.leaf_index, p.tree_size, leafHash, p.path.map(unhex));
      // 4. The checkpoint signed with the commission's key states that size and that root.
      const text = await openNote(p.checkpoint, doc.verifier_key);
      const lines = text.split('\n');
      if (lines[1] !== String(p.tree_size)) throw new Fail('FailSize');
      if (!same(b64(lines[2]), root)) throw new Fail('FailRoot');
      // 5. The precinct commission's own signature, when the leaf carries one.
      const signedBy = 'signature' in entry ? await commissionSignature(entry) : null;
      pin(origin, doc.verifier_key);
      box.dataset.state = 'ok';
      box.dataset.signed = signedBy ? 'verified' : 'unsigned';
      status.textContent = '\u2713 ' + t('ProofVerified') + (signedBy ? '. ' + t('CommissionSignatureVerified', { key: signedBy }) : '');
      details.textContent = t('ProofDetails', { index: p.leaf_index + 1, size: p.tree_size, root: hex(root).slice(0, 16) + '\u2026', key: doc.verifier_key });
    } catch (e) {
      box.dataset.state = 'failed';
      box.dataset.failure = e instanceof Fail ? e.key : 'FailFetch';
      status.textContent = '\u2717 ' + t('ProofFailed', { why: t(box.dataset.failure) });
      if (e instanceof Fail && e.details) details.textContent = e.details;
    }
  }

  function checkAll(root = document) { root.querySelectorAll('[data-proof]').forEach(check); }

  function live() {
    const election = document.body.dataset.election;
    if (!election || !window.EventSource) return;
    const unit = document.body.dataset.unit;
    const es = new EventSource('/api/v1/elections/' + encodeURIComponent(election) + '/events');
    // One refresh at a time; an event that arrives meanwhile queues one more. A page rendered
    // from a snapshot older than the event (another server, or a refresh still under way) is
    // fetched again shortly.
    let busy = false, again = false, want = 0, pendingCount = 0;
    async function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      try {
        for (let attempt = 0; attempt < 20; attempt++) {
          const r = await fetch(location.href, { headers: { accept: 'text/html' }, cache: 'no-cache' });
          if (!r.ok) return;
          const fresh = new DOMParser().parseFromString(await r.text(), 'text/html').getElementById('live-region');
          if (!fresh) return;
          if (Number(fresh.dataset.size || 0) < want) { await new Promise((ok) => setTimeout(ok, 250)); continue; }
          const cur = document.getElementById('live-region');
          if (cur) { cur.replaceWith(fresh); checkAll(fresh); }
          const note = document.getElementById('live-status');
          if (note) note.textContent = t('LiveUpdated', { n: pendingCount });
          pendingCount = 0;
          document.body.dataset.liveSize = String(fresh.dataset.size);
          return;
        }
      } finally {
        busy = false;
        if (again) { again = false; refresh(); }
      }
    }
    es.addEventListener('update', (ev) => {
      let d;
      try { d = JSON.parse(ev.data); } catch { return; }
      if (unit && !d.truncated && !d.units.includes(unit)) return;
      want = Math.max(want, d.tree_size);
      pendingCount += d.protocols;
      refresh();
    });
    es.addEventListener('lagged', () => refresh());
    es.addEventListener('hello', (ev) => {
      try { document.body.dataset.liveSize = String(JSON.parse(ev.data).tree_size); } catch { /* ignore */ }
      document.body.dataset.live = 'on';
    });
  }

  const start = () => { checkAll(); live(); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
