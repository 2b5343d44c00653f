import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoteSigner } from '@ledger/event-store';

/** The log's name in its checkpoints (and the signing key's name): LEDGER_LOG_ORIGIN. */
export const logOrigin = (env: NodeJS.ProcessEnv = process.env): string => env.LEDGER_LOG_ORIGIN || 'ledger.local/log';

export class CheckpointKeyError extends Error {}

const fromSeed = (origin: string, text: string, where: string): NoteSigner => {
  const seed = Buffer.from(text.trim(), 'base64');
  if (seed.length !== 32) throw new CheckpointKeyError(`${where}: expected base64 of 32 bytes (an Ed25519 private key)`);
  return new NoteSigner(origin, seed);
};

/**
 * The checkpoint signing key: LEDGER_CHECKPOINT_KEY (base64 of a 32-byte Ed25519 private key) or
 * LEDGER_CHECKPOINT_KEY_FILE (a file holding it) — in production kept where whoever can write the
 * database cannot read it, since the signature is what a rewritten log cannot forge. To try it on
 * one machine, `create` makes <data dir>/checkpoint-key (mode 0600) when neither is set; the
 * checkpoint command says it did. Verifying never creates a key.
 */
export const checkpointSigner = (
  dataDir: string,
  create: boolean,
  env: NodeJS.ProcessEnv = process.env,
): { signer: NoteSigner; generated: boolean } => {
  const origin = logOrigin(env);
  if (env.LEDGER_CHECKPOINT_KEY) return { signer: fromSeed(origin, env.LEDGER_CHECKPOINT_KEY, 'LEDGER_CHECKPOINT_KEY'), generated: false };
  const file = env.LEDGER_CHECKPOINT_KEY_FILE || join(dataDir, 'checkpoint-key');
  if (existsSync(file)) return { signer: fromSeed(origin, readFileSync(file, 'utf8'), file), generated: false };
  if (!create || env.LEDGER_CHECKPOINT_KEY_FILE)
    throw new CheckpointKeyError(`no checkpoint key: set LEDGER_CHECKPOINT_KEY or LEDGER_CHECKPOINT_KEY_FILE (${file} does not exist)`);
  const seed = randomBytes(32);
  writeFileSync(file, `${seed.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { signer: new NoteSigner(origin, seed), generated: true };
};
