import { SetMetadata } from '@nestjs/common';
import { Role } from '@ledger/identity';

export const ACCESS = 'ledger:access';
export const AUTH_ROUTE = 'ledger:auth-route';

/** Who may call a route. Every route says so; one that does not is refused to everybody. */
export type AccessRule = { readonly public: true } | { readonly roles: readonly Role[]; readonly scope?: string };

export const Public = () => SetMetadata(ACCESS, { public: true } satisfies AccessRule);

/** Any of these roles; `client` callers must also hold `scope`. */
export const Allow = (roles: readonly Role[], scope?: string) =>
  SetMetadata(ACCESS, { roles, ...(scope ? { scope } : {}) } satisfies AccessRule);

/** Credential routes (login, codes): their own, stricter per-address rate limit. */
export const AuthRoute = () => SetMetadata(AUTH_ROUTE, true);

/** Roles that read any card (never move money). */
export const CARD_READERS = ['owner', 'support', 'finance', 'auditor'] as const;
