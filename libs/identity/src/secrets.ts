import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '@ledger/config';

/** The keys identity needs; none of them is ever written to the event log. */
export interface LedgerSecrets {
  /** Signs access tokens (HS256). */
  readonly jwtSecret: Buffer;
  /** Wraps each account's personal-data key (AES-256-GCM). */
  readonly dataKey: Buffer;
  /** Keys the HMAC fingerprints (phone lookup, payment-token request hashes). */
  readonly fingerprintKey: Buffer;
}

const NAMES = { jwtSecret: 'LEDGER_JWT_SECRET', dataKey: 'LEDGER_DATA_KEY', fingerprintKey: 'LEDGER_FINGERPRINT_KEY' } as const;

const decode = (variable: string, raw: string): Buffer => {
  const key = Buffer.from(raw, 'base64');
  if (key.length < 32) throw new ConfigError(variable, 'expected at least 32 random bytes, base64-encoded (openssl rand -base64 32)');
  return key;
};

/**
 * From the environment when all three are set (production: a secret manager fills them). Otherwise
 * from `file`, created with fresh random keys on first use (mode 0600): what lets `npm start` work
 * on a fresh machine. Losing that file loses every phone number (they cannot be decrypted) and
 * every session; back it up with the data directory.
 */
export const loadSecrets = (
  env: Readonly<Record<string, string | undefined>>,
  file: string,
): { secrets: LedgerSecrets; generated: boolean } => {
  const set = Object.values(NAMES).filter((n) => env[n]);
  if (set.length === 3) {
    return {
      secrets: {
        jwtSecret: decode(NAMES.jwtSecret, env[NAMES.jwtSecret]!),
        dataKey: decode(NAMES.dataKey, env[NAMES.dataKey]!),
        fingerprintKey: decode(NAMES.fingerprintKey, env[NAMES.fingerprintKey]!),
      },
      generated: false,
    };
  }
  if (set.length > 0)
    throw new ConfigError(
      Object.values(NAMES).find((n) => !env[n])!,
      'set all three of LEDGER_JWT_SECRET, LEDGER_DATA_KEY and LEDGER_FINGERPRINT_KEY, or none',
    );
  let generated = false;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const fresh = Object.fromEntries(Object.values(NAMES).map((n) => [n, randomBytes(32).toString('base64')]));
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    generated = true;
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return {
    secrets: {
      jwtSecret: decode(NAMES.jwtSecret, stored[NAMES.jwtSecret]),
      dataKey: decode(NAMES.dataKey, stored[NAMES.dataKey]),
      fingerprintKey: decode(NAMES.fingerprintKey, stored[NAMES.fingerprintKey]),
    },
    generated,
  };
};

/** Fixed keys for tests that run in memory and must not touch a data directory. */
export const testSecrets = (): LedgerSecrets => ({
  jwtSecret: Buffer.alloc(32, 1),
  dataKey: Buffer.alloc(32, 2),
  fingerprintKey: Buffer.alloc(32, 3),
});
