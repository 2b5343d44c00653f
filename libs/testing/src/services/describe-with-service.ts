import {
  ProvisionedService,
  ServiceProvisioner,
  announceSkip,
  dockerAnswersSync,
  missingServiceMessage,
  servicesRequired,
} from './provisioning';

/** Container image pulls dominate; a cold pull of KurrentDB or Kafka takes a while. */
const PROVISION_TIMEOUT_MS = 300_000;

/**
 * Declares a suite that needs a real service. Jest declares tests synchronously, so whether the
 * suite can run is decided here, from the environment or a container engine that answers; the
 * service itself is provisioned in beforeAll and released in afterAll. When the service cannot be
 * had, the suite shows up as one skipped test (and the skip line on stderr), or as one failing test
 * under LEDGER_REQUIRE_SERVICES=1, never as a suite that silently passes.
 */
export const describeWithService = (name: string, provision: ServiceProvisioner, body: (getUrl: () => string) => void): void => {
  describe(name, () => {
    if (!provision.fromEnv() && !dockerAnswersSync()) {
      const message = missingServiceMessage(provision, name);
      if (servicesRequired()) {
        it(`requires ${provision.service} (LEDGER_REQUIRE_SERVICES=1)`, () => {
          throw new Error(`[ledger] LEDGER_REQUIRE_SERVICES=1 but ${message}`);
        });
      } else {
        announceSkip(message);
        it.skip(`needs ${provision.service}: ${message}`, () => undefined);
      }
      return;
    }

    let service: ProvisionedService | null = null;
    beforeAll(async () => {
      service = await provision();
    }, PROVISION_TIMEOUT_MS);
    afterAll(async () => {
      await service?.stop();
    }, PROVISION_TIMEOUT_MS);

    body(() => {
      // Only reachable when the engine answered at declaration but not moments later.
      if (!service) throw new Error(`[ledger] ${provision.service} was not provisioned: ${missingServiceMessage(provision, name)}`);
      return service.url;
    });
  });
};
