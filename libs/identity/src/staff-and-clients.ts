import { returning } from './returning';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PasswordLockout } from './lockout';
import { hashPassword, passwordProblem } from './passwords';
import { IdentityError, STAFF_ROLES, StaffRole, Subject } from './subject';

/** The scopes a machine client may hold; the usage feed gets `usage:record` and nothing else. */
export const CLIENT_SCOPES = ['usage:record'] as const;

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** Staff (created by an admin's CLI, never self-registered) and machine clients with scopes. */
export class StaffAndClients {
  private readonly lockout: PasswordLockout;

  constructor(private readonly db: DataSource) {
    this.lockout = new PasswordLockout(db, 'identity_staff', 'staff_id', 'username', 'the username or the password is wrong');
  }

  async createStaff(username: string, role: StaffRole, password: string, now: Date): Promise<{ staffId: string }> {
    if (!/^[a-z0-9._-]{3,64}$/.test(username))
      throw new IdentityError('INVALID_CREDENTIALS', 'username must be 3–64 of a–z 0–9 . _ -', 'username');
    if (!STAFF_ROLES.includes(role)) throw new IdentityError('FORBIDDEN', `role must be one of ${STAFF_ROLES.join(', ')}`, 'role');
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const staffId = randomUUID();
    await this.db.query('INSERT INTO identity_staff (staff_id, username, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)', [
      staffId,
      username,
      await hashPassword(password),
      role,
      now,
    ]);
    return { staffId };
  }

  async setRole(username: string, role: StaffRole): Promise<boolean> {
    if (!STAFF_ROLES.includes(role)) throw new IdentityError('FORBIDDEN', `role must be one of ${STAFF_ROLES.join(', ')}`, 'role');
    return (
      (await returning(this.db, 'UPDATE identity_staff SET role = $2 WHERE username = $1 RETURNING staff_id', [username, role])).length > 0
    );
  }

  async removeStaff(username: string): Promise<boolean> {
    return (await returning(this.db, 'DELETE FROM identity_staff WHERE username = $1 RETURNING staff_id', [username])).length > 0;
  }

  async listStaff(): Promise<{ staffId: string; username: string; role: StaffRole }[]> {
    const rows = await this.db.query('SELECT staff_id, username, role FROM identity_staff ORDER BY username');
    return rows.map((r: { staff_id: string; username: string; role: StaffRole }) => ({
      staffId: r.staff_id,
      username: r.username,
      role: r.role,
    }));
  }

  async staffLogin(username: string, password: string, now: Date): Promise<Subject> {
    const [row] = await this.db.query('SELECT * FROM identity_staff WHERE username = $1', [username]);
    await this.lockout.verify(row && { id: row.staff_id, passwordHash: row.password_hash, lockedUntil: row.locked_until }, password, now);
    return { kind: 'staff', id: row.staff_id, role: row.role, scopes: [] };
  }

  async staffRole(staffId: string): Promise<StaffRole | null> {
    const [row] = await this.db.query('SELECT role FROM identity_staff WHERE staff_id = $1', [staffId]);
    return row?.role ?? null;
  }

  /** The secret is shown once; only its digest is kept. */
  async createClient(name: string, scopes: readonly string[], now: Date): Promise<{ clientId: string; clientSecret: string }> {
    const unknown = scopes.filter((s) => !(CLIENT_SCOPES as readonly string[]).includes(s));
    if (unknown.length || scopes.length === 0)
      throw new IdentityError('FORBIDDEN', `scopes must be some of ${CLIENT_SCOPES.join(', ')}`, 'scope');
    const clientId = randomUUID();
    const clientSecret = randomBytes(32).toString('base64url');
    await this.db.query('INSERT INTO identity_client (client_id, name, secret_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5)', [
      clientId,
      name,
      digest(clientSecret).toString('hex'),
      [...scopes],
      now,
    ]);
    return { clientId, clientSecret };
  }

  async clientExists(clientId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM identity_client WHERE client_id = $1', [clientId])).length > 0;
  }

  async removeClient(clientId: string): Promise<boolean> {
    return (await returning(this.db, 'DELETE FROM identity_client WHERE client_id = $1 RETURNING client_id', [clientId])).length > 0;
  }

  async clientLogin(clientId: string, clientSecret: string): Promise<Subject> {
    const [row] = await this.db.query('SELECT secret_hash, scopes FROM identity_client WHERE client_id = $1', [clientId]);
    const expected = row ? Buffer.from(row.secret_hash, 'hex') : Buffer.alloc(32);
    const ok = timingSafeEqual(expected, digest(clientSecret)) && !!row;
    if (!ok) throw new IdentityError('INVALID_CREDENTIALS', 'the client id or secret is wrong');
    return { kind: 'client', id: clientId, role: 'client', scopes: row.scopes };
  }
}
