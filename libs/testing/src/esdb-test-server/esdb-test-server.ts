import { Server, ServerCredentials, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { appendRpc, batchAppendRpc } from './append.rpc';
import { deleteRpc, tombstoneRpc } from './delete.rpc';
import { EventLog } from './event-log';
import { readRpc } from './read.rpc';

/** The version this double claims; the 6.x client only looks at the methods and their features. */
const SERVER_VERSION = '24.10.0';

/**
 * What the server advertises for the methods implemented here, with the feature flags the real
 * server attaches (the client takes BatchAppend when it is listed, Append otherwise).
 */
const supportedMethods = (): SupportedMethods => {
  const method = (service: string, name: string, features: string[] = []) =>
    new SupportedMethod().setServiceName(service.toLowerCase()).setMethodName(name.toLowerCase()).setFeaturesList(features);
  const streams = 'event_store.client.streams.Streams';
  return new SupportedMethods()
    .setEventStoreServerVersion(SERVER_VERSION)
    .setMethodsList([
      method(streams, 'Read', ['position', 'events']),
      method(streams, 'Append'),
      method(streams, 'Delete'),
      method(streams, 'Tombstone'),
      method(streams, 'BatchAppend', ['deadline_duration']),
      method('event_store.client.server_features.ServerFeatures', 'GetSupportedMethods'),
    ]);
};

export interface EsdbTestServerOptions {
  /** Leave out BatchAppend from the advertised methods, so the client falls back to Append. */
  readonly withoutBatchAppend?: boolean;
}

/**
 * An in-process gRPC server that speaks the EventStoreDB/KurrentDB client protocol, for tests only:
 * the real client talks to it over a real socket on 127.0.0.1. Its data outlives `stop()`, and
 * `start()` again listens on the same port, so a test can kill the server under a live
 * subscription and bring it back.
 */
export class EsdbTestServer {
  readonly log = new EventLog();
  /** Calls received per method since construction, e.g. to see which append path the client took. */
  readonly calls: Record<'read' | 'append' | 'batchAppend' | 'delete' | 'tombstone', number> = {
    read: 0,
    append: 0,
    batchAppend: 0,
    delete: 0,
    tombstone: 0,
  };
  private server: Server | null = null;
  private port = 0;

  constructor(private readonly options: EsdbTestServerOptions = {}) {
    this.log.seedSystemEvents();
  }

  static async start(options?: EsdbTestServerOptions): Promise<EsdbTestServer> {
    const server = new EsdbTestServer(options);
    await server.start();
    return server;
  }

  /** A connection string for `EventStoreDBClient.connectionString`. */
  get url(): string {
    if (!this.port) throw new Error('the EventStoreDB test server has not been started');
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new Server();
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>) => {
        const methods = supportedMethods();
        if (this.options.withoutBatchAppend) {
          methods.setMethodsList(methods.getMethodsList().filter((m) => m.getMethodName() !== 'batchappend'));
        }
        callback(null, methods);
      },
    });
    server.addService(StreamsService, {
      read: this.counted('read', readRpc(this.log)),
      append: this.counted('append', appendRpc(this.log)),
      delete: this.counted('delete', deleteRpc(this.log)),
      tombstone: this.counted('tombstone', tombstoneRpc(this.log)),
      batchAppend: this.counted('batchAppend', batchAppendRpc(this.log)),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
  }

  private counted<A extends unknown[], R>(method: keyof EsdbTestServer['calls'], handler: (...args: A) => R): (...args: A) => R {
    return (...args) => {
      this.calls[method]++;
      return handler(...args);
    };
  }

  /** Drops every connection at once, as a killed node would; the log stays for the next `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.forceShutdown();
  }
}
