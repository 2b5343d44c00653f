import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { Identity, IdentityError, Subject } from '@ledger/identity';
import { IDENTITY } from '../infrastructure/tokens';
import { ACCESS, AccessRule } from './access.decorator';

export type AuthenticatedRequest = FastifyRequest & { subject?: Subject };

/** Authenticates the bearer token (when there is one) and applies the route's access rule. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(IDENTITY) private readonly identity: Identity,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (!rule) throw new IdentityError('FORBIDDEN', 'this route declares no access rule, so nobody may call it');
    const header = req.headers.authorization;
    const presented = typeof header === 'string' && header.length > 0;
    if ('public' in rule) {
      // A stale token must not stand between a client and the login or refresh that replaces it.
      if (presented) req.subject = await this.subjectOf(header).catch(() => undefined);
      return true;
    }
    if (!presented)
      throw new IdentityError('UNAUTHENTICATED', 'this route needs an access token: Authorization: Bearer <token> (POST /v1/auth/login)');
    const subject = (req.subject = await this.subjectOf(header));
    if (!rule.roles.includes(subject.role)) throw new IdentityError('FORBIDDEN', `the ${subject.role} role may not do this`);
    if (subject.kind === 'client' && (!rule.scope || !subject.scopes.includes(rule.scope))) {
      throw new IdentityError('FORBIDDEN', `this client lacks the ${rule.scope ?? 'required'} scope`);
    }
    return true;
  }

  /**
   * The token's subject as it stands now: an erased account, a removed staff member or client is
   * refused at once, and a changed role applies at once, not when the token expires.
   */
  private async subjectOf(header: string): Promise<Subject> {
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token)
      throw new IdentityError('TOKEN_INVALID', 'Authorization must be "Bearer <access token>"');
    const subject = this.identity.sessions.verify(token);
    const role = await this.identity.sessions.stillValid(subject);
    if (!role)
      throw new IdentityError('TOKEN_INVALID', 'this login was revoked (account erased, staff member or client removed); log in again');
    return { ...subject, role };
  }
}
