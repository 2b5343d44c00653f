export type MappingErrorCode = 'UNKNOWN_EVENT_TYPE' | 'INVALID_DATA';

/** A stored event that cannot become an integration event: it goes to the dead-letter topic. */
export class MappingError extends Error {
  constructor(
    readonly code: MappingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MappingError';
  }
}

export interface MoneyV1 {
  readonly amountMinor: number;
  readonly currency: string;
}

type Json = Record<string, unknown>;

/** What JSON Schema's `date-time` format accepts, so a value the mapper passes also passes the schema. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Reads stored event data field by field and refuses what the contract cannot carry, so a
 * malformed event is dead-lettered here instead of reaching consumers with a broken shape.
 */
export class DataReader {
  constructor(
    private readonly data: Json,
    private readonly path = 'data',
  ) {}

  static of(data: unknown, path = 'data'): DataReader {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid(path, 'an object', data);
    return new DataReader(data as Json, path);
  }

  str(field: string): string {
    const v = this.data[field];
    if (typeof v !== 'string' || v.length === 0) throw invalid(this.at(field), 'a non-empty string', v);
    return v;
  }

  time(field: string): string {
    const v = this.str(field);
    if (!RFC3339.test(v) || Number.isNaN(Date.parse(v))) throw invalid(this.at(field), 'an RFC 3339 date-time', v);
    return v;
  }

  has(field: string): boolean {
    return this.data[field] !== undefined;
  }

  nullableTime(field: string): string | null {
    return this.data[field] === null ? null : this.time(field);
  }

  int(field: string, min = 0): number {
    const v = this.data[field];
    if (!Number.isSafeInteger(v) || (v as number) < min) throw invalid(this.at(field), `an integer >= ${min}`, v);
    return v as number;
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const v = this.str(field);
    if (!(values as readonly string[]).includes(v)) throw invalid(this.at(field), `one of ${values.join('|')}`, v);
    return v as T;
  }

  money(field: string): MoneyV1 {
    const m = this.child(field);
    const currency = m.str('currency');
    if (!/^[A-Z]{3}$/.test(currency)) throw invalid(m.at('currency'), 'an ISO 4217 code', currency);
    return { amountMinor: m.int('amountMinor', Number.MIN_SAFE_INTEGER), currency };
  }

  list<T>(field: string, item: (r: DataReader) => T): T[] {
    const v = this.data[field];
    if (!Array.isArray(v)) throw invalid(this.at(field), 'an array', v);
    return v.map((x, i) => item(DataReader.of(x, `${this.at(field)}[${i}]`)));
  }

  child(field: string): DataReader {
    return DataReader.of(this.data[field], this.at(field));
  }

  private at(field: string): string {
    return `${this.path}.${field}`;
  }
}

const invalid = (path: string, expected: string, got: unknown): MappingError =>
  new MappingError(
    'INVALID_DATA',
    `${path}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80)}`,
  );
