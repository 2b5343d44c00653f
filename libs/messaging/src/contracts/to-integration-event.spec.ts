import { accountStreamId, subscriptionStreamId } from '@ledger/domain';
import { RecordedEvent } from '@ledger/event-store';
import { cardHistory } from '../testing/card-history';
import { recorded } from '../testing/recorded';
import { SchemaValidator, schemaFilesOnDisk } from './schema-validator';
import { HEADER } from './cloud-event';
import { MappingError } from './data-reader';
import { SCHEMA_FILES } from './schema-files';
import { PUBLISHED_EVENT_TYPES } from './subscription-events.v1';
import { toDeadLetter, toIntegrationEvent } from './to-integration-event';

const history = recorded(subscriptionStreamId('card-1'), cardHistory('card-1'));
const validator = new SchemaValidator();
const event = (type: string, data: unknown): RecordedEvent => ({ ...history[1], type, data });

describe('integration-event contracts', () => {
  it('covers every published event type with the sample card history', () => {
    expect(new Set(history.map((e) => e.type))).toEqual(new Set(PUBLISHED_EVENT_TYPES));
  });

  it('keys every card event by the card id and sends it as a CloudEvent in binary mode', () => {
    for (const e of history) {
      const m = toIntegrationEvent(e)!;
      expect(m.key).toBe('card-1');
      expect(m.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_id: e.id,
        ce_type: `ledger.${e.type}.v1`,
        ce_source: '/ledger/subscriptions',
        ce_subject: 'card-1',
        ce_time: e.recordedAt,
        'content-type': 'application/json',
        ledger_position: e.position.toString(),
        ledger_correlation_id: e.metadata.correlationId,
      });
    }
  });

  it('carries the stored trace context of the command that wrote the event, and nothing that is not W3C', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const traced = { ...history[1], metadata: { ...history[1].metadata, traceparent } };
    expect(toIntegrationEvent(traced)!.headers).toMatchObject({ traceparent, ce_traceparent: traceparent });
    expect(toDeadLetter(traced, new Error('x')).headers).toMatchObject({ traceparent, ce_traceparent: traceparent });
    for (const bad of ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx: y', 'garbage', 42]) {
      const headers = toIntegrationEvent({ ...history[1], metadata: { ...history[1].metadata, traceparent: bad as string } })!.headers;
      expect(headers).not.toHaveProperty('traceparent');
      expect(headers).not.toHaveProperty('ce_traceparent');
    }
    expect(toIntegrationEvent(history[1])!.headers).not.toHaveProperty('traceparent');
  });

  it('produces values that conform to their JSON Schema', () => {
    for (const e of history) {
      const m = toIntegrationEvent(e)!;
      expect({ type: e.type, errors: validator.errors(m.headers[HEADER.type], JSON.parse(m.value)) }).toEqual({ type: e.type, errors: [] });
    }
  });

  it('has one schema file per published event plus the dead letter, and no other', () => {
    expect(schemaFilesOnDisk()).toEqual(Object.values(SCHEMA_FILES).sort());
  });

  it('keeps ledger-internal fields out of the public value', () => {
    const selected = history.find((e) => e.type === 'PlanSelected')!;
    expect(JSON.parse(toIntegrationEvent(selected)!.value)).not.toHaveProperty('requestHash');
  });

  it('drops account events: they carry no card to key by', () => {
    const [account] = recorded(accountStreamId('acc-1'), [
      { ...history[0], type: 'AccountRegistered', data: { accountId: 'acc-1', registeredAt: history[0].recordedAt } },
    ]);
    expect(toIntegrationEvent(account)).toBeNull();
  });

  it('refuses a card event type it has no contract for', () => {
    expect(() => toIntegrationEvent(event('CardTeleported', {}))).toThrow(expect.objectContaining({ code: 'UNKNOWN_EVENT_TYPE' }));
  });

  it('refuses a card event whose data lacks a required field, naming the field', () => {
    const captured = history.find((e) => e.type === 'PaymentCaptured')!;
    const { amount: _dropped, ...data } = captured.data as Record<string, unknown>;
    expect(() => toIntegrationEvent({ ...captured, data })).toThrow(
      new MappingError('INVALID_DATA', 'data.amount: expected an object, got nothing'),
    );
  });

  it('refuses a time that is not RFC 3339, which the schema would refuse too', () => {
    const opened = history[0];
    expect(() => toIntegrationEvent({ ...opened, data: { ...(opened.data as object), openedAt: 'yesterday' } })).toThrow(MappingError);
  });

  it('dead-letters the stored event as is with the reason and the original type', () => {
    const poison = event('PaymentCaptured', { renewalId: 'r1' });
    const error = new MappingError('INVALID_DATA', 'data.paymentId: expected a non-empty string, got nothing');
    const m = toDeadLetter(poison, error);
    expect(m.key).toBe('card-1');
    expect(m.headers).toMatchObject({
      ce_id: poison.id,
      ce_type: 'ledger.DeadLetter.v1',
      ledger_dlq_code: 'INVALID_DATA',
      ledger_original_type: 'PaymentCaptured',
    });
    expect(m.headers[HEADER.dlqReason]).toBe(error.message);
    expect(JSON.parse(m.value)).toMatchObject({
      id: poison.id,
      type: 'PaymentCaptured',
      data: { renewalId: 'r1' },
      position: poison.position.toString(),
    });
    expect(validator.errors(m.headers[HEADER.type], JSON.parse(m.value))).toEqual([]);
  });
});
