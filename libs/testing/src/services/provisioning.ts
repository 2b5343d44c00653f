import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ContainerRuntimeClient, loadTestcontainers, testcontainersPackage } from './testcontainers';

/** A running service a suite may use; `stop()` releases what provisioning started (nothing for an env URL). */
export interface ProvisionedService {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Provisions one kind of service, or answers null when neither its environment variable nor a
 * container engine is there. The descriptive fields let `describeWithService` decide synchronously,
 * at declaration time, whether the suite can run at all.
 */
export interface ServiceProvisioner {
  (): Promise<ProvisionedService | null>;
  readonly service: string;
  readonly envVar: string;
  readonly hint: string;
  /** The URL the environment provides for this service, if any (a wrong kind of URL counts as none). */
  readonly fromEnv: () => string | undefined;
}

export const servicesRequired = (): boolean => ['1', 'true', 'yes'].includes((process.env.LEDGER_REQUIRE_SERVICES ?? '').toLowerCase());

export const missingServiceMessage = (p: Pick<ServiceProvisioner, 'service' | 'envVar' | 'hint'>, suite?: string): string =>
  `${p.service}${suite ? ` suite "${suite}"` : ''}: no ${p.envVar} and no Docker engine; ${p.hint}`;

/**
 * Written straight to stderr so it is one line, not a console block with a stack trace, and so
 * it shows even when jest buffers console output.
 */
export const announceSkip = (message: string): void => {
  process.stderr.write(`\n[ledger] SKIP ${message}\n`);
};

/** Throws under LEDGER_REQUIRE_SERVICES=1, otherwise prints the skip line; either way the caller gets null. */
export const serviceMissing = (p: ServiceProvisioner): null => {
  const message = missingServiceMessage(p);
  if (servicesRequired()) throw new Error(`[ledger] LEDGER_REQUIRE_SERVICES=1 but ${message}`);
  announceSkip(message);
  return null;
};

const socketCandidates = (): string[] => {
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return [
    '/var/run/docker.sock',
    '/run/docker.sock',
    join(homedir(), '.docker/run/docker.sock'),
    join(homedir(), '.docker/desktop/docker.sock'),
    join(homedir(), '.colima/default/docker.sock'),
    join(homedir(), '.rd/docker.sock'),
    '/run/podman/podman.sock',
    ...(runtimeDir ? [join(runtimeDir, 'docker.sock'), join(runtimeDir, 'podman/podman.sock')] : []),
  ];
};

/**
 * A cheap guess: is there any sign of a container engine? Without one, nothing slower is tried;
 * with one, `dockerAnswersSync()` / `dockerAnswers()` ask the engine itself.
 */
export const dockerMayBePresent = (): boolean => {
  if (process.env.DOCKER_HOST || process.env.TESTCONTAINERS_HOST_OVERRIDE) return true;
  const properties = join(homedir(), '.testcontainers.properties');
  if (existsSync(properties) && /^\s*docker\.host\s*=/m.test(readFileSync(properties, 'utf8'))) return true;
  return socketCandidates().some((path) => existsSync(path));
};

let answeredSync: boolean | undefined;

/**
 * Whether a container engine really answers, decided synchronously in a child process (jest
 * declares suites synchronously). Costs nothing without any sign of an engine; memoized per module
 * instance, so once per suite file.
 */
export const dockerAnswersSync = (timeoutMs = 10_000): boolean => {
  if (!dockerMayBePresent()) return false;
  if (answeredSync === undefined) {
    // The child runs on this same Node, so it loads the same testcontainers major.
    const testcontainers = createRequire(__filename).resolve(testcontainersPackage());
    const probe = `require(${JSON.stringify(testcontainers)}).getContainerRuntimeClient().then(() => process.exit(0), () => process.exit(1))`;
    answeredSync = spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore', timeout: timeoutMs }).status === 0;
  }
  return answeredSync;
};

let runtime: Promise<ContainerRuntimeClient | null> | undefined;

/** The container runtime if one answers within `timeoutMs`; memoized per module instance (per suite file). */
export const dockerAnswers = (timeoutMs = 5000): Promise<ContainerRuntimeClient | null> => {
  if (!dockerMayBePresent()) return Promise.resolve(null);
  runtime ??= (async () => {
    const { getContainerRuntimeClient } = await loadTestcontainers();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    try {
      return await Promise.race([getContainerRuntimeClient().catch(() => null), timeout]);
    } finally {
      clearTimeout(timer);
    }
  })();
  return runtime;
};

export const defineProvisioner = (
  spec: { service: string; envVar: string; hint: string; fromEnv?: () => string | undefined },
  startContainer: (runtime: ContainerRuntimeClient) => Promise<ProvisionedService>,
): ServiceProvisioner => {
  const fromEnv = spec.fromEnv ?? (() => process.env[spec.envVar] || undefined);
  const provisioner = async (): Promise<ProvisionedService | null> => {
    const url = fromEnv();
    if (url) return { url, stop: async () => undefined };
    const client = await dockerAnswers();
    if (!client) return serviceMissing(provisioner as ServiceProvisioner);
    return startContainer(client);
  };
  return Object.assign(provisioner, { service: spec.service, envVar: spec.envVar, hint: spec.hint, fromEnv });
};
