import { mkdirSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { EventStore, MerkleTree, NoteSigner, checkpointText, eventLeaf } from '@ledger/event-store';
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
  const chosen: { index: number; event: object }[] = [];
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  let position: bigint | undefined;
  for (;;) {
    const page = await store.readAll({ fromPosition: position, limit: 2_000 });
    if (!page.length) break;
    for (const e of page) {
      const at = Date.parse(e.recordedAt);
      if (at >= from && at < to)
        chosen.push({
          index: leaves.length,
          event: {
            streamId: e.streamId,
            revision: e.revision,
            id: e.id,
            type: e.type,
            data: e.data,
            metadata: e.metadata,
            recordedAt: e.recordedAt,
          },
        });
      leaves.push(eventLeaf(e));
    }
    position = page[page.length - 1].position;
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
