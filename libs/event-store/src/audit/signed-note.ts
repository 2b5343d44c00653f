import { KeyObject, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

/**
 * Checkpoints in the C2SP tlog-checkpoint format, signed as C2SP signed notes with Ed25519:
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n\n— <key name> <base64(key id ‖ signature)>\n
 *
 * The key id is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key); a verifier key is
 * written `<name>+<key id hex>+<base64(0x01 ‖ public key)>`, as the Go note package reads it.
 */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const ALG_ED25519 = 0x01;

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export class NoteError extends Error {
  override readonly name = 'NoteError';
}

const keyId = (name: string, publicKey: Buffer): Buffer =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, ALG_ED25519]), publicKey]))
    .digest()
    .subarray(0, 4);

const checkName = (name: string): string => {
  if (!/^[^\s+]+$/.test(name)) throw new NoteError(`a key name has no spaces or "+": "${name}"`);
  return name;
};

export class NoteSigner {
  private readonly key: KeyObject;
  readonly publicKey: Buffer;

  /** `seed`: the 32-byte Ed25519 private key. */
  constructor(
    readonly name: string,
    seed: Buffer,
  ) {
    if (seed.length !== 32) throw new NoteError('an Ed25519 private key is 32 bytes');
    checkName(name);
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.key).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length);
  }

  /** `<name>+<key id>+<base64 key>`: what an auditor is given to verify checkpoints with. */
  verifierKey(): string {
    return `${this.name}+${keyId(this.name, this.publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), this.publicKey]).toString('base64')}`;
  }

  sign(text: string): string {
    if (!text.endsWith('\n')) throw new NoteError('a note text ends with a newline');
    const signature = sign(null, Buffer.from(text), this.key);
    return `${text}\n— ${this.name} ${Buffer.concat([keyId(this.name, this.publicKey), signature]).toString('base64')}\n`;
  }
}

export const checkpointText = (c: Checkpoint): string => `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;

/** Verifies a signed note with a verifier key and answers its text; refuses a note the key did not sign. */
export const openNote = (note: string, verifierKey: string): string => {
  // The base64 key may itself hold "+": name and id are the first two fields, the key all the rest.
  const parts = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(verifierKey.trim());
  const raw = parts ? Buffer.from(parts[3], 'base64') : Buffer.alloc(0);
  if (!parts || raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError('not an Ed25519 verifier key name+id+key');
  const [, name, id] = parts;
  const publicKey = raw.subarray(1);
  if (keyId(name, publicKey).toString('hex') !== id) throw new NoteError('the verifier key id does not match its key');
  const at = note.lastIndexOf('\n\n');
  if (at < 0) throw new NoteError('not a signed note (no blank line before its signatures)');
  const text = note.slice(0, at + 1);
  const verifierKeyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
  for (const line of note
    .slice(at + 2)
    .split('\n')
    .filter(Boolean)) {
    const m = /^— (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const sig = Buffer.from(m[2], 'base64');
    if (sig.length !== 68 || sig.subarray(0, 4).toString('hex') !== id) continue;
    if (verify(null, Buffer.from(text), verifierKeyObject, sig.subarray(4))) return text;
    throw new NoteError(`the signature by ${name} does not verify: the checkpoint was changed or signed with another key`);
  }
  throw new NoteError(`no signature by ${name} on the note`);
};

export const parseCheckpoint = (text: string): Checkpoint => {
  const [origin, size, root] = text.split('\n');
  const hash = Buffer.from(root ?? '', 'base64');
  if (!origin || !/^(0|[1-9]\d{0,15})$/.test(size ?? '') || hash.length !== 32 || hash.toString('base64') !== root)
    throw new NoteError('not a checkpoint: origin, tree size and a base64 SHA-256 root');
  return { origin, size: Number(size), root: hash };
};
