import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  EventStore,
  LogFinding,
  LogLeaf,
  MerkleFrontier,
  NoteSigner,
  checkpointText,
  consistencyProof,
  diffLog,
  logLeaves,
  openNote,
  parseCheckpoint,
  verifyConsistency,
} from '@ledger/event-store';

export const CHECKPOINT_FILE = 'checkpoint.txt';
export const LEAVES_FILE = 'leaves.ndjson';
export const VERIFIER_FILE = 'verifier-key.txt';

const readLog = async (store: EventStore, progress: (n: number) => void): Promise<LogLeaf[]> => {
  const leaves: LogLeaf[] = [];
  for await (const l of logLeaves(store, progress)) leaves.push(l);
  return leaves;
};

const rootOf = (leaves: readonly LogLeaf[], size = leaves.length): Buffer => {
  const f = new MerkleFrontier();
  for (let i = 0; i < size; i++) f.push(Buffer.from(leaves[i].leaf, 'hex'));
  return f.root();
};

/**
 * Signs the log as it is now and writes what an auditor keeps: the signed checkpoint, the leaves it
 * covers (event ids and leaf hashes, no data) and the verifier key.
 */
export const writeCheckpoint = async (store: EventStore, signer: NoteSigner, dir: string, progress: (n: number) => void) => {
  const leaves = await readLog(store, progress);
  const checkpoint = { origin: signer.name, size: leaves.length, root: rootOf(leaves) };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, LEAVES_FILE), leaves.map((l) => `${JSON.stringify(l)}\n`).join(''));
  writeFileSync(join(dir, VERIFIER_FILE), `${signer.verifierKey()}\n`);
  writeFileSync(join(dir, CHECKPOINT_FILE), signer.sign(checkpointText(checkpoint)));
  return checkpoint;
};

export type CheckpointVerdict =
  | { readonly kind: 'consistent'; readonly size: number; readonly now: number; readonly proofHashes: number }
  | { readonly kind: 'broken'; readonly size: number; readonly now: number; readonly findings: readonly LogFinding[] };

/** An error in the auditor's own files (not the log's): exit 2. */
export class CheckpointFileError extends Error {}

const readKept = async (file: string): Promise<LogLeaf[]> => {
  const kept: LogLeaf[] = [];
  for await (const line of createInterface({ input: createReadStream(file) })) if (line.trim()) kept.push(JSON.parse(line) as LogLeaf);
  return kept;
};

/**
 * The log now against an earlier checkpoint: its signature (with the verifier key the auditor
 * holds), the kept leaves against its root, then the current log's first `size` leaves against it —
 * consistent (and a consistency proof from the checkpoint to now, verified), or every difference named.
 */
export const verifyAgainstCheckpoint = async (
  store: EventStore,
  path: string,
  verifierKey: string,
  progress: (n: number) => void,
): Promise<CheckpointVerdict> => {
  // A checkpoint file (checkpoint.txt, checkpoint-<size>.txt) or the directory holding it; its leaves sit beside it.
  const isFile = existsSync(path) && statSync(path).isFile();
  const dir = isFile ? dirname(path) : path;
  const noteFile = isFile ? path : join(dir, CHECKPOINT_FILE);
  let checkpoint;
  let kept: LogLeaf[];
  try {
    checkpoint = parseCheckpoint(openNote(readFileSync(noteFile, 'utf8'), verifierKey));
    // leaves.ndjson may have grown past an older checkpoint of a following signer: its first `size` leaves are that checkpoint's.
    kept = (await readKept(join(dir, LEAVES_FILE))).slice(0, checkpoint.size);
  } catch (err) {
    throw new CheckpointFileError(`${noteFile}: ${(err as Error).message}`);
  }
  if (kept.length !== checkpoint.size || !rootOf(kept).equals(checkpoint.root))
    throw new CheckpointFileError(`${join(dir, LEAVES_FILE)} is not the leaves the checkpoint signed (its root differs)`);
  const now = await readLog(store, progress);
  if (now.length >= checkpoint.size && rootOf(now, checkpoint.size).equals(checkpoint.root)) {
    const hashes = now.map((l) => Buffer.from(l.leaf, 'hex'));
    const proof = consistencyProof(hashes, checkpoint.size);
    if (verifyConsistency(checkpoint.size, now.length, checkpoint.root, rootOf(now), proof))
      return { kind: 'consistent', size: checkpoint.size, now: now.length, proofHashes: proof.length };
  }
  const findings = diffLog(kept, now);
  return {
    kind: 'broken',
    size: checkpoint.size,
    now: now.length,
    findings: findings.length
      ? findings
      : [{ kind: 'changed_event', streamId: '(log)', detail: 'the log is not an append-only extension of the checkpoint' }],
  };
};
