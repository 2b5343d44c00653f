import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { EsdbTestServer, EsdbTestServerOptions } from './esdb-test-server';

export interface TestConnection {
  readonly server: EsdbTestServer;
  readonly client: EventStoreDBClient;
}

/** A fresh server and a real client per test, both shut after it. */
export const useTestServer = (options?: EsdbTestServerOptions): (() => TestConnection) => {
  let connection: TestConnection | undefined;
  beforeEach(async () => {
    const server = await EsdbTestServer.start(options);
    connection = { server, client: EventStoreDBClient.connectionString(server.url) };
  });
  afterEach(async () => {
    await connection?.client.dispose();
    await connection?.server.stop();
    connection = undefined;
  });
  return () => {
    if (!connection) throw new Error('the test server is only there inside a test');
    return connection;
  };
};

export const anEvent = (type = 'Happened', data: Record<string, unknown> = {}) => jsonEvent({ id: randomUUID(), type, data });

export const aStream = (prefix = 'test'): string => `${prefix}-${randomUUID()}`;

/** Everything a read yields, or the error it ends with. */
export const drain = async <T>(read: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
};
