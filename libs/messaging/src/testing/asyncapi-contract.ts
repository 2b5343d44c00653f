import { join } from 'node:path';
import { DiagnosticSeverity, Parser, fromFile } from '@asyncapi/parser';
import type { AsyncAPIDocumentInterface, MessageInterface } from '@asyncapi/parser';
import Ajv, { ValidateFunction } from 'ajv';
import { HEADER } from '../contracts/cloud-event';
import { RFC3339 } from '../contracts/data-reader';
import { SCHEMA_DIR } from '../contracts/schema-validator';

export const ASYNCAPI_FILE = join(SCHEMA_DIR, '..', 'asyncapi.yaml');

export interface KafkaRecord {
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
}

export interface MessageContract {
  readonly name: string;
  /** The `ce_type` the message's headers schema pins. */
  readonly ceType: string;
  /** The message's contentType (the document's default when it names none). */
  readonly contentType: string | undefined;
  /** The payload schema as the parser resolved it (its `$ref` to libs/messaging/schemas followed). */
  readonly payloadSchema: Record<string, unknown>;
  readonly headers: ValidateFunction;
  readonly payload: ValidateFunction;
  readonly key: ValidateFunction;
}

type Json = Record<string, unknown>;

/** The parser marks what it resolved with x-parser-* keys; ajv in strict mode would refuse them as unknown keywords. */
const withoutParserKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutParserKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('x-parser-'))
      .map(([k, v]) => [k, withoutParserKeys(v)]),
  );
};

/** The `const` a schema pins `property` to, directly or in one branch of its allOf. */
const pinned = (schema: Json | undefined, property: string): unknown => {
  const own = (schema?.properties as Record<string, Json> | undefined)?.[property]?.const;
  if (own !== undefined) return own;
  for (const branch of (schema?.allOf as Json[] | undefined) ?? []) {
    const found = pinned(branch, property);
    if (found !== undefined) return found;
  }
  return undefined;
};

/** A multi-format payload (`schemaFormat` + `schema`) or a plain AsyncAPI schema. */
const payloadOf = (message: MessageInterface): Json => {
  const json = (message.payload()?.json() ?? {}) as Json;
  return (typeof json.schemaFormat === 'string' ? json.schema : json) as Json;
};

const errorsOf = (what: string, validate: ValidateFunction, value: unknown): string[] =>
  validate(value) ? [] : (validate.errors ?? []).map((e) => `${what}${e.instancePath || ''} ${e.message} ${JSON.stringify(e.params)}`);

/**
 * libs/messaging/asyncapi.yaml as a consumer would read it: parsed and validated by @asyncapi/parser
 * (file $refs resolved), each message's headers, key and payload compiled with ajv, so a Kafka record
 * can be checked against the document rather than against the code that produced it.
 */
export class AsyncApiContract {
  private constructor(
    readonly document: AsyncAPIDocumentInterface,
    private readonly channels: ReadonlyMap<string, ReadonlyMap<string, MessageContract>>,
  ) {}

  /** The parser's error diagnostics (warnings and hints are not failures), and the contract when there are none. */
  static async load(file = ASYNCAPI_FILE): Promise<{ errors: string[]; contract?: AsyncApiContract }> {
    const { document, diagnostics } = await fromFile(new Parser(), file).parse();
    const errors = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error)
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    if (!document || errors.length) return { errors: errors.length ? errors : ['the parser returned no document'] };
    const ajv = new Ajv({ strict: true, allErrors: true, addUsedSchema: false });
    ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
    const channels = new Map<string, Map<string, MessageContract>>();
    for (const channel of document.channels()) {
      const byType = new Map<string, MessageContract>();
      for (const message of channel.messages()) {
        const headersSchema = withoutParserKeys(message.headers()?.json() ?? {}) as Json;
        const ceType = pinned(headersSchema, HEADER.type);
        if (typeof ceType !== 'string') {
          errors.push(`channel ${channel.id()} message ${message.id()}: its headers do not pin ${HEADER.type}`);
          continue;
        }
        if (byType.has(ceType)) errors.push(`channel ${channel.id()}: two messages pin ${HEADER.type} ${ceType}`);
        const payloadSchema = withoutParserKeys(payloadOf(message)) as Json;
        const keySchema = withoutParserKeys(message.bindings().get('kafka')?.value<{ key?: unknown }>().key ?? false) as Json | boolean;
        byType.set(ceType, {
          name: message.id(),
          ceType,
          contentType: message.contentType(),
          payloadSchema,
          headers: ajv.compile(headersSchema),
          payload: ajv.compile(payloadSchema),
          key: ajv.compile(keySchema),
        });
      }
      channels.set(channel.id(), byType);
    }
    return errors.length ? { errors } : { errors, contract: new AsyncApiContract(document, channels) };
  }

  /** The `ce_type`s a channel's messages pin. */
  ceTypes(channelId: string): string[] {
    return [...(this.channels.get(channelId)?.keys() ?? [])];
  }

  message(channelId: string, ceType: string): MessageContract | undefined {
    return this.channels.get(channelId)?.get(ceType);
  }

  /** The topic the document names for a channel (its default; the publisher's is configurable). */
  address(channelId: string): string | null | undefined {
    return this.document.channels().get(channelId)?.address();
  }

  /** What is wrong with a record received on the channel, by the document; [] when it conforms. */
  problems(channelId: string, record: KafkaRecord): string[] {
    const type = record.headers[HEADER.type];
    const message = this.message(channelId, type);
    if (!message) return [`${HEADER.type} ${type}: no message of channel ${channelId} pins it`];
    let payload: unknown;
    try {
      payload = JSON.parse(record.value);
    } catch {
      return [`${type}: the value is not JSON`];
    }
    const mismatches = [
      ...(record.headers[HEADER.contentType] === message.contentType
        ? []
        : [`${type}: content-type is not the message's ${message.contentType}`]),
      ...(record.key === record.headers[HEADER.subject] ? [] : [`${type}: the key is not ${HEADER.subject}`]),
    ];
    return [
      ...mismatches,
      ...errorsOf(`${type} headers`, message.headers, record.headers),
      ...errorsOf(`${type} key`, message.key, record.key),
      ...errorsOf(`${type} payload`, message.payload, payload),
    ];
  }
}
