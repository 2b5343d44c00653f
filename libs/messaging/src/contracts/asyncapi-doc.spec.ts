import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { subscriptionStreamId } from '@ledger/domain';
import { ASYNCAPI_FILE, AsyncApiContract } from '../testing/asyncapi-contract';
import { cardHistory } from '../testing/card-history';
import { recorded } from '../testing/recorded';
import { ceType, schemaId } from './cloud-event';
import { PUBLISHED_EVENT_TYPES } from './subscription-events.v1';
import { SCHEMA_FILES } from './schema-files';
import { DEAD_LETTER_TYPE, toDeadLetter, toIntegrationEvent } from './to-integration-event';
import { MappingError } from './data-reader';

const PARSE_TIMEOUT_MS = 30_000;

describe('libs/messaging/asyncapi.yaml', () => {
  let loaded: Awaited<ReturnType<typeof AsyncApiContract.load>>;
  let contract: AsyncApiContract;
  beforeAll(async () => {
    loaded = await AsyncApiContract.load();
    contract = loaded.contract!;
  }, PARSE_TIMEOUT_MS);

  it('is an AsyncAPI 3.0.0 document the parser accepts without errors', () => {
    expect(loaded.errors).toEqual([]);
    expect(contract.document.version()).toBe('3.0.0');
  });

  it('lists on the card-event channel exactly the types the publisher maps, and no others', () => {
    expect(contract.ceTypes('cardEvents').sort()).toEqual(PUBLISHED_EVENT_TYPES.map((t) => ceType(t)).sort());
  });

  it('lists on the dead-letter channel only the dead letter', () => {
    expect(contract.ceTypes('deadLetters')).toEqual([ceType(DEAD_LETTER_TYPE)]);
  });

  it('names the publisher’s default topics', () => {
    expect([contract.address('cardEvents'), contract.address('deadLetters')]).toEqual([
      'ledger.subscriptions.v1',
      'ledger.subscriptions.v1.dlq',
    ]);
  });

  it('refers each payload to its schema file rather than copying it', () => {
    const raw = parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as {
      components: { messages: Record<string, { payload: { schema: unknown } }> };
    };
    for (const [type, file] of Object.entries(SCHEMA_FILES)) {
      expect({ type, payload: raw.components.messages[type]?.payload.schema }).toEqual({ type, payload: { $ref: `./schemas/${file}` } });
      const channel = type === DEAD_LETTER_TYPE ? 'deadLetters' : 'cardEvents';
      expect(contract.message(channel, ceType(type))?.payloadSchema.$id).toBe(schemaId(type));
    }
  });

  it('sends its operations on both channels', () => {
    const sent = contract.document
      .operations()
      .filterBySend()
      .flatMap((o) =>
        o
          .channels()
          .all()
          .map((c) => c.id()),
      );
    expect(sent.sort()).toEqual(['cardEvents', 'deadLetters']);
  });

  it('accepts what the mapping makes of a card’s whole history, and its dead letters', () => {
    const history = recorded(subscriptionStreamId('doc-card'), cardHistory('doc-card'));
    const problems = history.flatMap((e) => contract.problems('cardEvents', toIntegrationEvent(e)!));
    const dead = toDeadLetter({ ...history[0], type: 'CardTeleported' }, new MappingError('UNKNOWN_EVENT_TYPE', 'no contract'));
    expect([...problems, ...contract.problems('deadLetters', dead)]).toEqual([]);
  });

  it('accepts the optional W3C trace headers, and refuses a malformed one', () => {
    const m = toIntegrationEvent(recorded(subscriptionStreamId('doc-card'), cardHistory('doc-card'))[0])!;
    const trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const traced = { ...m, headers: { ...m.headers, traceparent: trace, ce_traceparent: trace } };
    expect(contract.problems('cardEvents', traced)).toEqual([]);
    const malformed = { ...m, headers: { ...m.headers, traceparent: '00-xyz-01' } };
    expect(contract.problems('cardEvents', malformed)).toEqual([expect.stringContaining('/traceparent must match pattern')]);
  });
});
