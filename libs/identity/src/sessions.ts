import { returning } from './returning';
import { createHash, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { IdentityError, Role, Subject } from './subject';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
const REFRESH_TOKEN_DAYS = 30;
const ISSUER = 'ledger';
const AUDIENCE = 'ledger-api';

export interface Tokens {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly refreshToken?: string;
}

interface Claims {
  sub: string;
  role: Role;
  scope?: string;
}

/** Refresh tokens are 256 random bits, so a plain SHA-256 is enough to store them unguessably. */
const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Short-lived access tokens (JWT, HS256) and rotating refresh tokens. Every refresh spends its
 * token and hands out the next one of the same family; a spent token presented again means it was
 * stolen (or replayed), so the whole family is revoked and both holders must log in again.
 */
export class Sessions {
  private readonly jwt: JwtService;

  constructor(
    private readonly db: DataSource,
    secret: Buffer,
    /** Whether the subject may still act, and as what (not erased, still staff, client not removed). */
    readonly stillValid: (subject: Subject) => Promise<Role | null>,
  ) {
    // A KeyObject, not the bytes: given bytes, jsonwebtoken first tries (and fails) to parse them as a
    // public key on every verify, which cost 14 % of the API's CPU under load (bench:http).
    const key = createSecretKey(secret) as unknown as Buffer;
    this.jwt = new JwtService({ secret: key, signOptions: { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE } });
  }

  access(subject: Subject): string {
    const claims: Claims = {
      sub: `${subject.kind}:${subject.id}`,
      role: subject.role,
      ...(subject.scopes.length ? { scope: subject.scopes.join(' ') } : {}),
    };
    return this.jwt.sign(claims, { expiresIn: ACCESS_TOKEN_SECONDS });
  }

  /** The subject of a valid access token; throws TOKEN_INVALID otherwise (expired included). */
  verify(token: string): Subject {
    let claims: Claims;
    try {
      claims = this.jwt.verify<Claims>(token, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    } catch (err) {
      throw new IdentityError('TOKEN_INVALID', `the access token is not valid: ${(err as Error).message}; log in or refresh`);
    }
    const [kind, id] = claims.sub.split(':');
    if (!['account', 'staff', 'client'].includes(kind) || !id)
      throw new IdentityError('TOKEN_INVALID', 'the access token names no known subject');
    return { kind: kind as Subject['kind'], id, role: claims.role, scopes: claims.scope ? claims.scope.split(' ') : [] };
  }

  async start(subject: Subject, now: Date): Promise<Tokens> {
    return this.issue(subject, randomUUID(), now);
  }

  async refresh(refreshToken: string, now: Date): Promise<Tokens> {
    const hash = digest(refreshToken);
    const [spent] = await returning<{ family_id: string; subject: string; role: Role }>(
      this.db,
      'UPDATE identity_refresh_token SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 RETURNING family_id, subject, role',
      [hash, now],
    );
    if (!spent) {
      const [row] = await this.db.query('SELECT family_id, used_at, revoked_at FROM identity_refresh_token WHERE token_hash = $1', [hash]);
      if (row?.used_at && !row.revoked_at) {
        await this.revokeFamily(row.family_id, now);
        throw new IdentityError(
          'REFRESH_TOKEN_REUSED',
          'this refresh token was already used; every session of its login is revoked, log in again',
        );
      }
      throw new IdentityError('REFRESH_TOKEN_INVALID', 'the refresh token is unknown, expired or revoked; log in again');
    }
    const [kind, id] = String(spent.subject).split(':');
    const subject: Subject = { kind: kind as Subject['kind'], id, role: spent.role, scopes: [] };
    const role = await this.stillValid(subject);
    if (!role) {
      await this.revokeFamily(spent.family_id, now);
      throw new IdentityError('REFRESH_TOKEN_INVALID', 'this login is no longer valid; log in again');
    }
    const tokens = await this.issue({ ...subject, role }, spent.family_id, now);
    // A replay of the spent token may have revoked the family while this refresh was under way: then
    // the token just issued is revoked with it, whichever of the two statements ran last.
    const [revoked] = await this.db.query('SELECT 1 FROM identity_refresh_token WHERE family_id = $1 AND revoked_at IS NOT NULL LIMIT 1', [
      spent.family_id,
    ]);
    if (revoked) {
      await this.revokeFamily(spent.family_id, now);
      throw new IdentityError(
        'REFRESH_TOKEN_REUSED',
        'this refresh token was already used; every session of its login is revoked, log in again',
      );
    }
    return tokens;
  }

  /** Logout: the family of this refresh token ends; access tokens already out expire on their own. */
  async logout(refreshToken: string, now: Date): Promise<void> {
    const [row] = await this.db.query('SELECT family_id FROM identity_refresh_token WHERE token_hash = $1', [digest(refreshToken)]);
    if (row) await this.revokeFamily(row.family_id, now);
  }

  async revokeSubject(subject: string, now: Date): Promise<void> {
    await this.db.query('UPDATE identity_refresh_token SET revoked_at = $2 WHERE subject = $1 AND revoked_at IS NULL', [subject, now]);
  }

  private async revokeFamily(family: string, now: Date): Promise<void> {
    await this.db.query('UPDATE identity_refresh_token SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [family, now]);
  }

  private async issue(subject: Subject, family: string, now: Date): Promise<Tokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.db.query(
      'INSERT INTO identity_refresh_token (token_hash, family_id, subject, role, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [
        digest(refreshToken),
        family,
        `${subject.kind}:${subject.id}`,
        subject.role,
        new Date(now.getTime() + REFRESH_TOKEN_DAYS * 86_400_000),
      ],
    );
    return { accessToken: this.access(subject), tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_SECONDS, refreshToken };
  }
}
