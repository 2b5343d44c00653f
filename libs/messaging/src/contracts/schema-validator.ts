import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { RFC3339 } from './data-reader';
import { SCHEMA_FILES } from './schema-files';

/** The build copies this directory beside the compiled code, so dist/ reads the same files. */
export const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');

export const schemaFilesOnDisk = (): string[] =>
  readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();

/** Validates integration-event values against libs/messaging/schemas with ajv in strict mode. */
export class SchemaValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv({ strict: true, allErrors: true });
    ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
    for (const [type, file] of Object.entries(SCHEMA_FILES)) {
      this.validators.set(type, ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'))));
    }
  }

  /** The ajv errors as text, or [] when the value conforms. `ce_type` is `ledger.<Name>.v1`. */
  errors(ceType: string, value: unknown): string[] {
    const name = /^ledger\.(\w+)\.v1$/.exec(ceType)?.[1];
    return name ? this.errorsFor(name, value) : [`no schema for ${ceType}`];
  }

  /** The same, by event name. */
  errorsFor(eventName: string, value: unknown): string[] {
    const validate = this.validators.get(eventName);
    if (!validate) return [`no schema for ${eventName}`];
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  }
}
