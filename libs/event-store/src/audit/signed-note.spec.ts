import { randomBytes } from 'node:crypto';
import { NoteSigner, checkpointText, openNote, parseCheckpoint } from './signed-note';

describe('signed checkpoints (C2SP signed note, Ed25519)', () => {
  const signer = new NoteSigner('ledger.example/log', randomBytes(32));
  const checkpoint = { origin: 'ledger.example/log', size: 42, root: randomBytes(32) };

  it('signs a checkpoint that verifies with the verifier key and parses back', () => {
    const note = signer.sign(checkpointText(checkpoint));
    expect(note).toMatch(/^ledger\.example\/log\n42\n[A-Za-z0-9+/]{43}=\n\n— ledger\.example\/log [A-Za-z0-9+/=]{92}\n$/);
    expect(signer.verifierKey()).toMatch(/^ledger\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]{44}$/);
    expect(parseCheckpoint(openNote(note, signer.verifierKey()))).toEqual(checkpoint);
  });

  it('refuses a changed checkpoint, another key, and a note with no signature', () => {
    const note = signer.sign(checkpointText(checkpoint));
    expect(() => openNote(note.replace('\n42\n', '\n41\n'), signer.verifierKey())).toThrow(/does not verify/);
    const other = new NoteSigner('ledger.example/log', randomBytes(32));
    expect(() => openNote(note, other.verifierKey())).toThrow(/no signature by/);
    expect(() => openNote(checkpointText(checkpoint), signer.verifierKey())).toThrow(/not a signed note/);
  });
});
