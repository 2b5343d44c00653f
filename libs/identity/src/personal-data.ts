import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const seal = (key: Buffer, plain: Buffer): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return `v1.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${body.toString('base64')}`;
};

const open = (key: Buffer, sealed: string): Buffer => {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1') throw new Error(`unknown sealed format ${version}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
};

/**
 * Crypto-shredding: each account's personal data is sealed under its own key, and that key is
 * stored wrapped under the data key. Deleting the wrapped key erases the person; the events, which
 * only ever hold the account id, and their hash chains are untouched.
 */
export class PersonalDataVault {
  constructor(
    private readonly dataKey: Buffer,
    private readonly fingerprintKey: Buffer,
  ) {}

  /** A fresh account key, wrapped for storage. */
  newWrappedKey(): string {
    return seal(this.dataKey, randomBytes(32));
  }

  seal(wrappedKey: string, value: string): string {
    return seal(open(this.dataKey, wrappedKey), Buffer.from(value, 'utf8'));
  }

  open(wrappedKey: string, sealed: string): string {
    return open(open(this.dataKey, wrappedKey), sealed).toString('utf8');
  }

  /** A keyed fingerprint: equal inputs match, and a guess cannot be checked without the key. */
  fingerprint(purpose: string, value: string): string {
    return createHmac('sha256', this.fingerprintKey).update(purpose).update('\0').update(value).digest('hex');
  }
}
