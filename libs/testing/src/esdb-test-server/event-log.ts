import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/** What a request expects of the stream: a revision, or one of the server's three special states. */
export type Expectation = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly streamId: string;
  /** Tombstones carry the server's "deleted stream" revision, 2^63 - 1. */
  readonly revision: bigint;
  /** The record's log position; for self-committed records commit and prepare are both this. */
  readonly position: bigint;
  /** 100 ns ticks since the Unix epoch, as the server puts it in the `created` metadata. */
  readonly created: bigint;
}

export interface StreamState {
  readonly events: StoredEvent[];
  last: bigint;
  /** Revisions below this are hidden: what a soft delete leaves behind. */
  truncateBefore: bigint;
  softDeleted: boolean;
  tombstoned: boolean;
}

/** The server answers these three ways; anything else is a transport error. */
export type WriteOutcome =
  | { readonly kind: 'written'; readonly last: bigint; readonly position: bigint | null }
  | { readonly kind: 'wrong_expected_version'; readonly current: bigint }
  | { readonly kind: 'stream_deleted' };

export const NO_STREAM = -1n;
export const DELETED_STREAM = (1n << 63n) - 1n;
const TICKS_PER_MS = 10_000n;
const RECORD_OVERHEAD = 87n;

/**
 * The test server's storage: one append-only log, an index per stream, and the consistency rules
 * the real server applies in its commit check (expected version, idempotency by event id, deletes).
 * It lives outside the gRPC server so a stopped and restarted server finds its data again.
 */
export class EventLog {
  readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly ids = new Map<string, StoredEvent>();
  private nextPosition = 128n;
  private readonly changes = new EventEmitter().setMaxListeners(0);

  /** What a fresh node writes before any client does, so $all never starts with a user event. */
  seedSystemEvents(): void {
    this.write('$$$scavenges', [systemEvent('$metadata', '{"$maxAge":2592000}')]);
    this.write('$$$stats-127.0.0.1:2113', [systemEvent('$metadata', '{"$maxAge":86400}')]);
  }

  stream(streamId: string): StreamState | undefined {
    return this.streams.get(streamId);
  }

  append(streamId: string, expected: Expectation, events: readonly ProposedEvent[]): WriteOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream_deleted' };
    const current = s?.last ?? NO_STREAM;
    if (expected === 'stream_exists' && s?.softDeleted) return { kind: 'stream_deleted' };
    const idempotent = this.alreadyWritten(streamId, s, expected, events);
    if (idempotent) return idempotent;
    if (!this.satisfies(s, expected)) return { kind: 'wrong_expected_version', current };
    if (events.length === 0) return { kind: 'written', last: current, position: null };
    if (s?.softDeleted) this.undelete(streamId, s);
    const written = this.write(streamId, events);
    return { kind: 'written', last: written.at(-1)!.revision, position: written.at(-1)!.position };
  }

  delete(streamId: string, expected: Expectation, hard: boolean): WriteOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream_deleted' };
    if (expected === 'stream_exists' && s?.softDeleted) return { kind: 'stream_deleted' };
    if (!this.satisfies(s, expected)) return { kind: 'wrong_expected_version', current: s?.last ?? NO_STREAM };
    const state = s ?? this.create(streamId);
    if (hard) {
      const [tombstone] = this.write(streamId, [systemEvent('$streamDeleted', null)], DELETED_STREAM);
      state.tombstoned = true;
      return { kind: 'written', last: state.last, position: tombstone.position };
    }
    state.softDeleted = true;
    state.truncateBefore = state.last + 1n;
    const [meta] = this.write(`$$${streamId}`, [systemEvent('$metadata', `{"$tb":${DELETED_STREAM}}`)]);
    return { kind: 'written', last: state.last, position: meta.position };
  }

  /** Wakes `waitForChange` callers; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  /** Any write, including a system event a test wants to see filtered out. */
  write(streamId: string, events: readonly ProposedEvent[], fixedRevision?: bigint): StoredEvent[] {
    const s = this.streams.get(streamId) ?? this.create(streamId);
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const written = events.map((e) => {
      const revision = fixedRevision ?? ++s.last;
      const stored: StoredEvent = { ...e, streamId, revision, position: this.nextPosition, created };
      this.nextPosition += RECORD_OVERHEAD + BigInt(streamId.length + e.type.length + e.data.length + e.metadata.length);
      s.events.push(stored);
      this.all.push(stored);
      this.ids.set(e.id, stored);
      return stored;
    });
    this.changes.emit('change');
    return written;
  }

  private create(streamId: string): StreamState {
    const s: StreamState = { events: [], last: NO_STREAM, truncateBefore: 0n, softDeleted: false, tombstoned: false };
    this.streams.set(streamId, s);
    return s;
  }

  private satisfies(s: StreamState | undefined, expected: Expectation): boolean {
    const current = s?.last ?? NO_STREAM;
    if (expected === 'any') return true;
    if (expected === 'no_stream') return current === NO_STREAM || !!s?.softDeleted;
    if (expected === 'stream_exists') return current !== NO_STREAM;
    return expected === current;
  }

  /**
   * The commit check's idempotency: the same ids already at the place the expectation points to
   * make the write a no-op that answers the original result; a partial match is a conflict.
   */
  private alreadyWritten(
    streamId: string,
    s: StreamState | undefined,
    expected: Expectation,
    events: readonly ProposedEvent[],
  ): WriteOutcome | null {
    if (!s || events.length === 0) return null;
    const conflict: WriteOutcome = { kind: 'wrong_expected_version', current: s.last };
    if (expected === 'any' || expected === 'stream_exists') {
      const first = this.ids.get(events[0].id);
      if (!first || first.streamId !== streamId) return null;
      const found = events.map((e) => this.ids.get(e.id));
      if (found.some((f) => !f || f.streamId !== streamId)) return conflict;
      return this.answer(found.at(-1)!);
    }
    const from = expected === 'no_stream' ? NO_STREAM : expected;
    if (from >= s.last || s.softDeleted) return null;
    const existing = events.map((e, i) => s.events.find((x) => x.revision === from + 1n + BigInt(i)));
    const matched = existing.filter((x, i) => x?.id === events[i].id).length;
    if (matched === events.length) return this.answer(existing.at(-1)!);
    return conflict;
  }

  private answer(last: StoredEvent): WriteOutcome {
    return { kind: 'written', last: last.revision, position: last.position };
  }

  private undelete(streamId: string, s: StreamState): void {
    s.softDeleted = false;
    this.write(`$$${streamId}`, [systemEvent('$metadata', `{"$tb":${s.truncateBefore}}`)]);
  }
}

/** Raw JSON text, because `$tb` values reach 2^63 - 1, beyond what a JS number holds. */
export const systemEvent = (type: string, json: string | null): ProposedEvent => ({
  id: randomUUID(),
  type,
  isJson: json !== null,
  data: json === null ? new Uint8Array() : Buffer.from(json),
  metadata: new Uint8Array(),
});
