import { AllSubscription, EventStore } from '../port/event-store.port';
import { appendContract } from './append.contract';
import { commandContract } from './command.contract';
import { readContract } from './read.contract';
import { subscriptionContract } from './subscription.contract';
import { SubscriptionProbe } from './subscription-probe';

export interface EventStoreHarness {
  /** An empty store: no events from earlier tests, so a read of the whole log sees only this test's. */
  readonly store: EventStore;
  /**
   * A new store instance over the same storage, as after a process restart; the harness closes the
   * old one. Adapters that have no storage outside the instance (memory) leave it out.
   */
  readonly restart?: () => Promise<EventStore>;
  cleanup(): Promise<void>;
}

export interface ContractContext {
  store(): EventStore;
  restart(): Promise<EventStore>;
  /** A subscription drained in the background; closed after the test even when the test fails. */
  probe(subscription: AllSubscription): SubscriptionProbe;
}

/**
 * The behaviour every EventStore adapter owes the rest of the system (EventStoreDB semantics where
 * the port borrows them). Positions are never asserted by value, only by order and relation.
 */
export const runEventStoreContract = (name: string, setup: () => Promise<EventStoreHarness>): void => {
  describe(`EventStore contract: ${name}`, () => {
    let harness: EventStoreHarness | undefined;
    let current: EventStore | undefined;
    let probes: SubscriptionProbe[] = [];

    beforeEach(async () => {
      harness = await setup();
      current = harness.store;
    });

    afterEach(async () => {
      const open = probes;
      probes = [];
      try {
        await Promise.all(open.map((p) => p.close()));
      } finally {
        await harness?.cleanup();
        harness = undefined;
      }
    });

    const ctx: ContractContext = {
      store: () => {
        if (!current) throw new Error('no store: setup did not run');
        return current;
      },
      restart: async () => {
        if (!harness) throw new Error('no store: setup did not run');
        current = harness.restart ? await harness.restart() : ctx.store();
        return current;
      },
      probe: (subscription) => {
        const probe = new SubscriptionProbe(subscription);
        probes.push(probe);
        return probe;
      },
    };

    describe('appending', () => appendContract(ctx));
    describe('reading', () => readContract(ctx));
    describe('subscribing', () => subscriptionContract(ctx));
    describe('commands', () => commandContract(ctx));
  });
};
