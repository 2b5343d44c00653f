import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaValidator } from './schema-validator';
import { ceType } from './cloud-event';
import { SCHEMA_FILES } from './schema-files';

const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'events.md'), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (m) => JSON.parse(m[1]) as { key: string; headers: Record<string, string>; value: unknown },
);

describe('docs/events.md', () => {
  it('shows an example message for every event with a schema', () => {
    expect(examples.map((e) => e.headers.ce_type).sort()).toEqual(
      Object.keys(SCHEMA_FILES)
        .map((t) => ceType(t))
        .sort(),
    );
  });

  it('links every schema file', () => {
    for (const file of Object.values(SCHEMA_FILES)) expect(doc).toContain(`libs/messaging/schemas/${file}`);
  });

  it('shows examples that conform to their schema and key by card', () => {
    const validator = new SchemaValidator();
    for (const e of examples) {
      expect({ type: e.headers.ce_type, errors: validator.errors(e.headers.ce_type, e.value) }).toEqual({
        type: e.headers.ce_type,
        errors: [],
      });
      expect(e.key).toBe(e.headers.ce_subject);
    }
  });
});
