export type Role = 'owner' | 'support' | 'finance' | 'auditor' | 'admin' | 'client';
export const STAFF_ROLES = ['support', 'finance', 'auditor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who is calling, as the access token says; `actor` is what every event they cause records. */
export interface Subject {
  readonly kind: 'account' | 'staff' | 'client';
  readonly id: string;
  readonly role: Role;
  readonly scopes: readonly string[];
}

export const actorOf = (s: Subject): string => `${s.kind}:${s.id}`;

/** Stable codes; the HTTP layer maps each to its status. */
export type IdentityErrorCode =
  | 'UNAUTHENTICATED'
  | 'TOKEN_INVALID'
  | 'FORBIDDEN'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'CODE_INVALID'
  | 'CODE_RECENTLY_SENT'
  | 'REFRESH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_REUSED'
  | 'WEAK_PASSWORD';

export const IDENTITY_STATUS: Record<IdentityErrorCode, number> = {
  UNAUTHENTICATED: 401,
  TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 429,
  CODE_INVALID: 400,
  CODE_RECENTLY_SENT: 429,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  WEAK_PASSWORD: 400,
};

export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}
