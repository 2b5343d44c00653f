/**
 * The one place that picks the testcontainers major: 12 (installed as the npm alias
 * `testcontainers12`) needs Node >= 22.22 and throws while being required on Node 20, so it is
 * chosen only where the running Node allows, and 11 everywhere else. Nothing here loads either
 * at import time.
 */
export const TESTCONTAINERS_12_MIN_NODE = '22.22.0';

export type TestcontainersPackage = 'testcontainers' | 'testcontainers12';

/**
 * The part of testcontainers the provisioners use, as a shape both majors satisfy structurally
 * (their own class types do not mix: private members make them nominal).
 */
export type WaitStrategy = object;

export interface StartedContainer {
  getHost(): string;
  getMappedPort(port: number): number;
  stop(): Promise<unknown>;
}

export interface Container {
  withEnvironment(environment: Record<string, string>): this;
  withExposedPorts(...ports: (number | { container: number; host: number })[]): this;
  withTmpFs(tmpFs: Record<string, string>): this;
  withCommand(command: string[]): this;
  withWaitStrategy(waitStrategy: WaitStrategy): this;
  withStartupTimeout(startupTimeoutMs: number): this;
  start(): Promise<StartedContainer>;
}

export interface ContainerRuntimeClient {
  readonly info: { readonly containerRuntime: { readonly host: string } };
}

export interface TestcontainersModule {
  GenericContainer: new (image: string) => Container;
  Wait: {
    forLogMessage(message: string | RegExp, times?: number): WaitStrategy;
    forHttp(path: string, port: number): WaitStrategy & { forStatusCodeMatching(predicate: (statusCode: number) => boolean): WaitStrategy };
  };
  getContainerRuntimeClient(): Promise<ContainerRuntimeClient>;
}

const atLeast = (version: string, min: string): boolean => {
  const a = version.split('.').map((n) => parseInt(n, 10) || 0);
  const b = min.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
};

/** The package name to load on Node `nodeVersion` (default: this process's). */
export const testcontainersPackage = (nodeVersion: string = process.versions.node): TestcontainersPackage =>
  atLeast(nodeVersion, TESTCONTAINERS_12_MIN_NODE) ? 'testcontainers12' : 'testcontainers';

let loaded: Promise<TestcontainersModule> | undefined;

/** Loads (once per module instance) the testcontainers this Node can run. */
export const loadTestcontainers = (): Promise<TestcontainersModule> => {
  // Two literal imports rather than one computed one, so the compiler checks both majors against the shape.
  loaded ??= testcontainersPackage() === 'testcontainers12' ? import('testcontainers12') : import('testcontainers');
  return loaded;
};
