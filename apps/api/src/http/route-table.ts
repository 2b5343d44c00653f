import { FastifyInstance } from 'fastify';

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/**
 * The routes Fastify knows, by path pattern, so that a known path called with the wrong method is
 * told 405 with `Allow` instead of a 404 that suggests the path does not exist.
 */
export class RouteTable {
  private readonly routes = new Map<string, KnownRoute>();

  /** Must run before the routes are registered: it listens to Fastify's onRoute hook. */
  attach(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const url = route.url.replace(/\/$/, '') || '/';
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const known = this.routes.get(url) ?? { pattern: toPattern(url), methods: new Set<string>() };
      for (const m of methods) known.methods.add(m);
      this.routes.set(url, known);
    });
  }

  /** The methods a path answers to; empty when no route has that shape. */
  allowed(path: string): string[] {
    const clean = path.split('?')[0].replace(/\/$/, '') || '/';
    const methods = new Set<string>();
    for (const r of this.routes.values()) if (r.pattern.test(clean)) for (const m of r.methods) methods.add(m);
    return [...methods].sort();
  }
}

const toPattern = (url: string): RegExp =>
  new RegExp(
    `^${url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}$`,
  );
