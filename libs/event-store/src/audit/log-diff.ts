import { LogLeaf } from './log-tree';

/** What a log lost or had rewritten against the leaves an auditor kept with an earlier checkpoint. */
export interface LogFinding {
  readonly kind: 'removed_stream' | 'removed_tail' | 'removed_events' | 'rewritten_stream' | 'changed_event' | 'reordered' | 'inserted';
  readonly streamId: string;
  readonly detail: string;
}

const byStream = <T extends { streamId: string }>(items: Iterable<T>): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const list = out.get(i.streamId);
    if (list) list.push(i);
    else out.set(i.streamId, [i]);
  }
  return out;
};

const maxOf = (values: Iterable<number>, start = -1): number => {
  let m = start;
  for (const v of values) if (v > m) m = v;
  return m;
};

/** Positions (in `xs`) of a longest increasing subsequence: what kept its relative order. */
const increasingKept = (xs: readonly number[]): Set<number> => {
  const tails: number[] = [];
  const prev = new Array<number>(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]] < xs[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const kept = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) kept.add(i);
  return kept;
};

/**
 * Names every difference between the first `kept.length` events of the log as it was (the kept
 * leaves, proven by the checkpoint's root) and the log now: removed streams, removed tails or
 * events, streams rewritten (several events of one stream changed: its per-stream links were
 * recomputed), single changed events, events that moved (the fewest that explain the new order)
 * and events inserted into the old part of the log. Linear in the log (n log n for the order).
 */
export const diffLog = (kept: readonly LogLeaf[], now: readonly LogLeaf[]): LogFinding[] => {
  const findings: LogFinding[] = [];
  const current = new Map(now.map((l) => [l.id, l]));
  const old = new Set(kept.map((l) => l.id));
  const nowByStream = byStream(now);
  const keptByStream = byStream(kept);
  for (const [streamId, gone] of byStream(kept.filter((l) => !current.has(l.id)))) {
    const all = keptByStream.get(streamId)!;
    const later = nowByStream.get(streamId) ?? [];
    const revisions = gone.map((l) => l.revision).sort((a, b) => a - b);
    const highest = maxOf(
      later.map((l) => l.revision),
      maxOf(all.map((l) => l.revision)),
    );
    const laterStillThere = later.some((l) => l.revision > revisions[0]);
    if (!later.length) findings.push({ kind: 'removed_stream', streamId, detail: `the whole stream is gone (${all.length} events)` });
    else if (!laterStillThere && revisions[0] === highest - revisions.length + 1)
      findings.push({
        kind: 'removed_tail',
        streamId,
        detail: `its last ${revisions.length} event(s) are gone, from revision ${revisions[0]}`,
      });
    else findings.push({ kind: 'removed_events', streamId, detail: `events at revisions ${revisions.join(', ')} are gone` });
  }
  const changed = kept.filter((l) => current.has(l.id) && current.get(l.id)!.leaf !== l.leaf);
  for (const [streamId, leaves] of byStream(changed)) {
    let from = Infinity;
    for (const l of leaves) from = Math.min(from, l.revision);
    if (leaves.length > 1)
      findings.push({
        kind: 'rewritten_stream',
        streamId,
        detail: `${leaves.length} events differ from revision ${from} on: the stream was rewritten (its hash links recomputed)`,
      });
    else findings.push({ kind: 'changed_event', streamId, detail: `event ${leaves[0].id} at revision ${from} was changed` });
  }
  // The same events in another order: those outside a longest run that kept its order moved.
  const stillThere = kept.filter((l) => current.has(l.id) && current.get(l.id)!.leaf === l.leaf);
  const inOrder = increasingKept(stillThere.map((l) => current.get(l.id)!.index));
  const moved = stillThere.filter((_, i) => !inOrder.has(i));
  for (const [streamId, leaves] of byStream(moved))
    findings.push({
      kind: 'reordered',
      streamId,
      detail: `${leaves.map((l) => `revision ${l.revision}`).join(', ')} moved in the log's order`,
    });
  const cut = maxOf(kept.filter((l) => current.has(l.id)).map((l) => current.get(l.id)!.index));
  for (const [streamId, leaves] of byStream(now.filter((l) => l.index <= cut && !old.has(l.id))))
    findings.push({
      kind: 'inserted',
      streamId,
      detail: `${leaves.length} event(s) inserted into the part of the log the checkpoint covers`,
    });
  return findings;
};
