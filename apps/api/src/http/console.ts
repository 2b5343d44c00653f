import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** apps/console/public, found from here whether running from the sources or from dist/. */
const consoleRoot = (): string | null => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'console', 'public');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
};

/**
 * The card owner's and staff's web console: static files calling this same API (no build step, no
 * framework), at /console/, with / sending there. Same origin, so helmet's CSP (scripts from self
 * only) holds and no CORS is needed.
 */
export const serveConsole = (app: NestFastifyApplication): boolean => {
  const root = consoleRoot();
  if (!root) return false;
  app.useStaticAssets({ root, prefix: '/console/', decorateReply: false, index: ['index.html'] });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/', (_req, reply) => reply.redirect('/console/', 302));
  return true;
};
