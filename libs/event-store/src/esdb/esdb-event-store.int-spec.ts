import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { announceSkip, describeWithService, dockerMayBePresent, provisionEventStoreDb } from '@ledger/testing';
import { EventStore } from '../port/event-store.port';
import { runEsdbContract } from './esdb-contract';
import { EsdbEventStore } from './esdb-event-store';
import { clientConnectionString } from './esdb-mapping';

const SUITE =
  'EsdbEventStore on a real KurrentDB (runs only when EVENT_STORE_URL names a KurrentDB or a Docker engine is there; ' +
  'otherwise skipped even under LEDGER_REQUIRE_SERVICES=1, because EventStoreDB cannot be installed without Docker ' +
  'and the in-process test server suite covers the adapter on every machine)';

/** The last position in $all right now; a test's reads of $all start after it. */
const headOfAll = async (url: string): Promise<bigint | undefined> => {
  const client = EventStoreDBClient.connectionString(clientConnectionString(url));
  try {
    for await (const e of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) return e.event?.position.commit;
    return undefined;
  } finally {
    await client.dispose();
  }
};

const later = (a: bigint | undefined, b: bigint | undefined): bigint | undefined =>
  a === undefined ? b : b === undefined || a > b ? a : b;

/**
 * A real server cannot be emptied between tests, so each test sees $all only from where it
 * stood when the test began, which is what the contract means by an empty store.
 */
const fromHead = (store: EventStore, head: bigint | undefined): EventStore => ({
  appendToStream: (streamId, events, expected) => store.appendToStream(streamId, events, expected),
  readStream: (streamId) => store.readStream(streamId),
  readAll: (options) => store.readAll({ ...options, fromPosition: later(options.fromPosition, head) }),
  subscribeToAll: (options = {}) => store.subscribeToAll({ ...options, fromPosition: later(options.fromPosition, head) }),
  close: () => store.close(),
});

const contract = (getUrl: () => string): void => {
  runEsdbContract('EventStoreDB adapter on KurrentDB', async () => {
    const head = await headOfAll(getUrl());
    let store = fromHead(EsdbEventStore.connect(getUrl()), head);
    return {
      store,
      restart: async () => {
        await store.close();
        store = fromHead(EsdbEventStore.connect(getUrl()), head);
        return store;
      },
      cleanup: () => store.close(),
    };
  });
};

if (provisionEventStoreDb.fromEnv() || dockerMayBePresent()) {
  describeWithService(SUITE, provisionEventStoreDb, contract);
} else {
  describe(SUITE, () => {
    announceSkip(`${SUITE}: no EVENT_STORE_URL=esdb://… and no Docker engine`);
    it.skip('needs a KurrentDB: set EVENT_STORE_URL=esdb://host:2113?tls=false or provide a Docker engine', () => undefined);
  });
}
