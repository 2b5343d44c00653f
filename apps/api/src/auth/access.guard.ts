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

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    const header = req.headers.authorization;
    if (typeof header === 'string' && header.length > 0) {
      const [scheme, token] = header.split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token)
        throw new IdentityError('TOKEN_INVALID', 'Authorization must be "Bearer <access token>"');
      req.subject = this.identity.sessions.verify(token);
    }
    if (!rule) throw new IdentityError('FORBIDDEN', 'this route declares no access rule, so nobody may call it');
    if ('public' in rule) return true;
    const subject = req.subject;
    if (!subject)
      throw new IdentityError('UNAUTHENTICATED', 'this route needs an access token: Authorization: Bearer <token> (POST /v1/auth/login)');
    if (!rule.roles.includes(subject.role)) throw new IdentityError('FORBIDDEN', `the ${subject.role} role may not do this`);
    if (subject.kind === 'client' && (!rule.scope || !subject.scopes.includes(rule.scope))) {
      throw new IdentityError('FORBIDDEN', `this client lacks the ${rule.scope ?? 'required'} scope`);
    }
    return true;
  }
}
