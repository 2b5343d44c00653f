import { EventStoreHarness, runEventStoreContract } from '../contract/event-store.contract';

/**
 * Contract tests EventStoreDB cannot pass, and why. The server deduplicates by event id only within
 * a stream (its commit check looks the id up at the place the expectation points to); it keeps no
 * index that would let anyone refuse an id already used in another stream. The adapter keeps every
 * other id rule of the port by reading the stream before it appends.
 */
export const ESDB_DIVERGENCES: Readonly<Record<string, string>> = {
  'refuses an event id that already exists in another stream':
    'EventStoreDB accepts an event id already used in another stream; ids are deduplicated per stream only',
};

type TestFn = (name: string, fn?: jest.ProvidesCallback, timeout?: number) => void;

/**
 * The shared contract, with the divergences above declared as skipped tests that say why, so they
 * show in every run instead of disappearing. The contract declares its tests through the global
 * `it`, which is swapped only while it does.
 */
export const runEsdbContract = (name: string, setup: () => Promise<EventStoreHarness>): void => {
  const globals = globalThis as unknown as { it: jest.It };
  const original = globals.it;
  const declare: TestFn = (testName, fn, timeout) => {
    const reason = ESDB_DIVERGENCES[testName];
    if (reason) original.skip(`${testName} [not on EventStoreDB: ${reason}]`, fn);
    else original(testName, fn, timeout);
  };
  globals.it = Object.assign(declare, original);
  try {
    runEventStoreContract(name, setup);
  } finally {
    globals.it = original;
  }
};
