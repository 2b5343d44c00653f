import { CancelledError, UnavailableError, UnknownError, WrongExpectedVersionError } from '@eventstore/db-client';
import { clientConnectionString, isTransient, serverFilter, wanted } from './esdb-mapping';

describe('EventStoreDB mapping', () => {
  it('hands the 6.x client esdb:// for KurrentDB schemes and leaves esdb:// alone', () => {
    expect(clientConnectionString('kurrentdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
    expect(clientConnectionString('kurrentdb+discover://a,b')).toBe('esdb+discover://a,b');
    expect(clientConnectionString('kurrent://db:2113')).toBe('esdb://db:2113');
    expect(clientConnectionString('esdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
  });

  it('filters on the server by stream prefix when there is one, else by exact event type, else by "no $ types"', () => {
    expect(serverFilter({ streamPrefixes: ['card-'], eventTypes: ['A'] })).toMatchObject({ filterOn: 'streamName', prefixes: ['card-'] });
    const byType = serverFilter({ eventTypes: ['Payment.Captured', 'B'] }) as { regex: string };
    expect(new RegExp(byType.regex).test('Payment.Captured')).toBe(true);
    expect(new RegExp(byType.regex).test('PaymentXCaptured')).toBe(false);
    expect(new RegExp(byType.regex).test('BV2')).toBe(false);
    expect(serverFilter()).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  it("keeps the server's $ streams and $ types out, and applies the rest of the filter", () => {
    expect(wanted({ streamId: '$$card-1', type: '$metadata' })).toBe(false);
    expect(wanted({ streamId: 'card-1', type: '$streamDeleted' })).toBe(false);
    expect(wanted({ streamId: 'card-1', type: 'A' }, { streamPrefixes: ['card-'], eventTypes: ['B'] })).toBe(false);
    expect(wanted({ streamId: 'card-1', type: 'B' }, { streamPrefixes: ['card-'], eventTypes: ['B'] })).toBe(true);
  });

  it('retries what a restarted server may answer, and nothing that would fail the same way again', () => {
    expect(isTransient(new UnavailableError())).toBe(true);
    expect(isTransient(new CancelledError())).toBe(true);
    expect(isTransient(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
    expect(isTransient(new WrongExpectedVersionError(undefined, { streamName: 's', current: 1n, expected: 0n }))).toBe(false);
    expect(isTransient(new UnknownError())).toBe(false);
  });
});
