#!/usr/bin/env node
// Verifies an audit export offline, with nothing but Node (18+): the checkpoint's Ed25519 signature
// (C2SP signed note) with the verifier key you were given, then every exported event's RFC 6962
// inclusion proof against the checkpoint's root. Usage: node verify-export.mjs DIR --key VERIFIER_KEY
// Exit 0: all verified; 1: an event or the signature did not; 2: bad usage or files. See docs/audit.md.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, flag, key] = process.argv.slice(2);
if (!dir || flag !== '--key' || !key) {
  console.error('usage: node verify-export.mjs DIR --key <name>+<key id>+<base64 key>');
  process.exit(2);
}
const sha256 = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

// 1. The signed note: text, blank line, "— <name> <base64(key id ‖ signature)>" lines.
const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(key.trim());
const raw = m && Buffer.from(m[3], 'base64');
if (!m || raw.length !== 33 || raw[0] !== 1) (console.error('not an Ed25519 verifier key'), process.exit(2));
const [, name, id] = m;
const publicKey = raw.subarray(1);
if (
  sha256(Buffer.from(name), Buffer.from([0x0a, 1]), publicKey)
    .subarray(0, 4)
    .toString('hex') !== id
)
  (console.error('the verifier key id does not match its key'), process.exit(2));
const note = readFileSync(join(dir, 'checkpoint.txt'), 'utf8');
const cut = note.lastIndexOf('\n\n');
const text = note.slice(0, cut + 1);
const spki = createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]),
  format: 'der',
  type: 'spki',
});
const signed = note
  .slice(cut + 2)
  .split('\n')
  .map((l) => /^— (\S+) (\S+)$/.exec(l))
  .filter((s) => s && s[1] === name)
  .map((s) => Buffer.from(s[2], 'base64'))
  .some((sig) => sig.length === 68 && sig.subarray(0, 4).toString('hex') === id && verify(null, Buffer.from(text), spki, sig.subarray(4)));
if (!signed) (console.log(`BROKEN the checkpoint is not signed by ${name}`), process.exit(1));
const [origin, sizeText, rootText] = text.split('\n');
if (!origin || !/^(0|[1-9]\d{0,15})$/.test(sizeText ?? '') || Buffer.from(rootText ?? '', 'base64').length !== 32)
  (console.log('BROKEN the checkpoint is not origin, tree size and a base64 SHA-256 root'), process.exit(1));
const size = Number(sizeText);
const root = Buffer.from(rootText, 'base64');

// 2. Each event: its leaf is SHA-256(0x00 ‖ canonical JSON) (keys sorted at every level, no spaces).
const canonical = (v) =>
  v === null || typeof v !== 'object'
    ? (JSON.stringify(v) ?? 'null')
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : `{${Object.keys(v)
          .filter((k) => v[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
          .join(',')}}`;
const node = (l, r) => sha256(Buffer.from([1]), l, r);
// RFC 9162 §2.1.3.2.
const included = (index, leaf, proof) => {
  if (index >= size) return false;
  let fn = index,
    sn = size - 1,
    r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) ((fn = Math.floor(fn / 2)), (sn = Math.floor(sn / 2)));
    } else r = node(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
};
let ok = 0;
const broken = [];
const seen = new Set();
readFileSync(join(dir, 'events.ndjson'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .forEach((line, i) => {
    const { index, event, proof } = JSON.parse(line);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size || seen.has(index) || !Array.isArray(proof))
      return void broken.push(`line ${i + 1}: index ${index} is not a place in the signed log, or is given twice`);
    seen.add(index);
    const leaf = sha256(Buffer.from([0]), Buffer.from(canonical(event)));
    if (
      included(
        index,
        leaf,
        proof.map((p) => Buffer.from(p, 'base64')),
      )
    )
      ok++;
    else broken.push(`line ${i + 1}: event ${event.id} (${event.streamId} revision ${event.revision}) is not in the signed log`);
  });
for (const b of broken) console.log(`BROKEN ${b}`);
// Each line proves its event is in the signed log; that no event of the period was left out is not proven.
console.log(`${origin}: ${ok} of ${ok + broken.length} exported events proven in the signed log of ${size} events`);
process.exit(broken.length ? 1 : 0);
