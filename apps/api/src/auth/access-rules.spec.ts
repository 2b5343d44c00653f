import 'reflect-metadata';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { AppModule } from '../app.module';
import { ACCESS } from './access.decorator';

/** "Every route declares who may call it": checked on the controllers themselves, not on a list. */
describe('access rules', () => {
  const controllers = (AppModule.forRoot({
    config: { http: { rateLimitPerMinute: 0, maxQueryWaiters: 1 }, holidays: [], queryWaitMs: 1 },
    storage: { store: {}, dataSource: {} },
    identity: {},
    sandboxSms: {},
  } as never).controllers ?? []) as (new (...args: never[]) => object)[];

  it('finds the controllers', () => expect(controllers.length).toBeGreaterThan(5));

  it.each(controllers.map((c) => [c.name, c] as const))('%s: every route has an access rule', (_name, controller) => {
    const routes = Object.getOwnPropertyNames(controller.prototype).filter(
      (m) => Reflect.getMetadata(METHOD_METADATA, (controller.prototype as Record<string, object>)[m]) !== undefined,
    );
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const rule =
        Reflect.getMetadata(ACCESS, (controller.prototype as Record<string, object>)[route]) ?? Reflect.getMetadata(ACCESS, controller);
      expect({ route, rule: rule === undefined ? 'missing' : 'declared' }).toEqual({ route, rule: 'declared' });
    }
  });
});
