import { LedgerStorage, ProjectionPosition, ProjectionRunner, ledgerProjections, openLedgerStorage } from '@ledger/read-models';
import { PROJECTION_POSITION } from '../../apps/api/src/infrastructure/tokens';
import { Harness, newCard, renewalBody, startHarness } from './ledger-harness';

/** LEDGER_PROJECTOR=off: the projector runs elsewhere, and a waiting query is woken by its NOTIFY. */
export const remoteProjectorCases = (url: () => string): void => {
  let h: Harness;
  let projector: ProjectionRunner;
  let projectorStorage: LedgerStorage;
  const open = () => openLedgerStorage({ kind: 'postgres', eventStoreUrl: url(), readModelUrl: url() });
  beforeAll(async () => {
    projectorStorage = await open();
    projector = new ProjectionRunner(projectorStorage.store, projectorStorage.dataSource, ledgerProjections(), { batchSize: 100 });
    await projector.start();
    h = await startHarness({ storage: await open(), env: { LEDGER_PROJECTOR: 'off', DATABASE_URL: url() } });
  });
  afterAll(async () => {
    await h.close();
    await projector.stop();
    await projectorStorage.close();
  });

  it("reads its own write through the other process's projection, woken by its notification", async () => {
    const notified = jest.spyOn(h.ledger.app.get<ProjectionPosition>(PROJECTION_POSITION), 'notified');
    const { subscriptionId } = await newCard(h);
    const renewal = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'remote' });
    const view = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${renewal.body.position}`);
    expect(view.status).toBe(200);
    expect(view.body.dataRemainingMb).toBe(10240);
    expect(notified).toHaveBeenCalled();
  });
};
