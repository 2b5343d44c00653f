import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoteSigner } from '@ledger/event-store';

/** The log's name in its checkpoints (and the signing key's name): LEDGER_LOG_ORIGIN. */
export const logOrigin = (env: NodeJS.ProcessEnv = process.env): string => env.LEDGER_LOG_ORIGIN || 'ledger.local/log';

/**
 * The checkpoint signing key: LEDGER_CHECKPOINT_KEY (base64 of a 32-byte Ed25519 private key),
 * else <data dir>/checkpoint-key, generated on first use (mode 0600). Keep it away from whoever
 * can write the database: the signature is what a rewritten log cannot forge.
 */
export const checkpointSigner = (dataDir: string, env: NodeJS.ProcessEnv = process.env): { signer: NoteSigner; generated: boolean } => {
  const origin = logOrigin(env);
  if (env.LEDGER_CHECKPOINT_KEY) {
    const seed = Buffer.from(env.LEDGER_CHECKPOINT_KEY, 'base64');
    if (seed.length !== 32) throw new Error('LEDGER_CHECKPOINT_KEY: expected base64 of 32 bytes (an Ed25519 private key)');
    return { signer: new NoteSigner(origin, seed), generated: false };
  }
  const file = join(dataDir, 'checkpoint-key');
  if (existsSync(file))
    return { signer: new NoteSigner(origin, Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')), generated: false };
  const seed = randomBytes(32);
  writeFileSync(file, `${seed.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { signer: new NoteSigner(origin, seed), generated: true };
};
