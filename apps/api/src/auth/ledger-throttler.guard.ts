import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import { AUTH_ROUTE } from './access.decorator';
import { AuthenticatedRequest } from './access.guard';

/**
 * Per account (or staff member, or client) once authenticated, per address before: one busy
 * client behind a shared address does not starve the others. The `auth` limit counts only on
 * credential routes, per address, against password and code guessing from one place.
 */
@Injectable()
export class LedgerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const subject = (req as AuthenticatedRequest).subject;
    return subject ? `${subject.kind}:${subject.id}` : `ip:${req.ip}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const credentialRoute = this.reflector.getAllAndOverride<boolean>(AUTH_ROUTE, [props.context.getHandler(), props.context.getClass()]);
    if ((props.throttler.name === 'auth') !== !!credentialRoute) return true;
    // Credential guessing is counted per address, whatever token the request also carries.
    if (props.throttler.name === 'auth') return super.handleRequest({ ...props, getTracker: async (req) => `ip:${req.ip}` });
    return super.handleRequest(props);
  }
}
