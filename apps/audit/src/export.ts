import { mkdirSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { EventStore, LeafEvent, MerkleTree, NoteSigner, checkpointText, eventLeaf, leafEvent, logPages } from '@ledger/event-store';
import { CHECKPOINT_FILE, VERIFIER_FILE } from './checkpoints';

export const EVENTS_FILE = 'events.ndjson';

/**
 * A period's events for an auditor to verify offline: every event recorded in [from, to) exactly as
 * stored, each with its place in the log's Merkle tree and its inclusion proof, and the signed
 * checkpoint of the whole log they are proven against (scripts/verify-export.mjs checks it all with
 * nothing but Node).
 */
export const exportPeriod = async (
  store: EventStore,
  signer: NoteSigner,
  period: { from: string; to: string },
  dir: string,
  progress: (n: number) => void,
): Promise<{ size: number; exported: number }> => {
  const leaves: Buffer[] = [];
  const chosen: { index: number; event: LeafEvent }[] = [];
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  for await (const page of logPages(store)) {
    for (const e of page) {
      const at = Date.parse(e.recordedAt);
      if (at >= from && at < to) chosen.push({ index: leaves.length, event: leafEvent(e) });
      leaves.push(eventLeaf(e));
    }
    progress(leaves.length);
  }
  const tree = new MerkleTree(leaves);
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, EVENTS_FILE), 'w');
  try {
    for (const c of chosen)
      writeSync(fd, `${JSON.stringify({ ...c, proof: tree.inclusionProof(c.index).map((h) => h.toString('base64')) })}\n`);
  } finally {
    closeSync(fd);
  }
  writeFileSync(join(dir, VERIFIER_FILE), `${signer.verifierKey()}\n`);
  writeFileSync(join(dir, CHECKPOINT_FILE), signer.sign(checkpointText({ origin: signer.name, size: leaves.length, root: tree.root() })));
  return { size: leaves.length, exported: chosen.length };
};
