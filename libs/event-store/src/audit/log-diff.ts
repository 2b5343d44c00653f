import { LogLeaf } from './log-tree';

/** What a log lost or had rewritten against the leaves an auditor kept with an earlier checkpoint. */
export interface LogFinding {
  readonly kind: 'removed_stream' | 'removed_tail' | 'removed_events' | 'rewritten_stream' | 'changed_event' | 'reordered' | 'inserted';
  readonly streamId: string;
  readonly detail: string;
}

const byStream = <T extends { streamId: string }>(items: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(i.streamId, [...(out.get(i.streamId) ?? []), i]);
  return out;
};

/**
 * Names every difference between the first `kept.length` events of the log as it was (the kept
 * leaves, proven by the checkpoint's root) and the log now: removed streams, removed tails or
 * events, streams rewritten (several events of one stream changed: its per-stream links were
 * recomputed), single changed events, events that moved (same event, another place in the order)
 * and events inserted into the old part of the log.
 */
export const diffLog = (kept: readonly LogLeaf[], now: readonly LogLeaf[]): LogFinding[] => {
  const findings: LogFinding[] = [];
  const current = new Map(now.map((l) => [l.id, l]));
  const old = new Set(kept.map((l) => l.id));
  const streamsNow = new Set(now.map((l) => l.streamId));
  for (const [streamId, leaves] of byStream(kept.filter((l) => !current.has(l.id)))) {
    const all = kept.filter((l) => l.streamId === streamId);
    const revisions = leaves.map((l) => l.revision).sort((a, b) => a - b);
    if (!streamsNow.has(streamId))
      findings.push({ kind: 'removed_stream', streamId, detail: `the whole stream is gone (${all.length} events)` });
    else if (revisions[0] === Math.max(...all.map((l) => l.revision)) - revisions.length + 1)
      findings.push({
        kind: 'removed_tail',
        streamId,
        detail: `its last ${revisions.length} event(s) are gone, from revision ${revisions[0]}`,
      });
    else findings.push({ kind: 'removed_events', streamId, detail: `events at revisions ${revisions.join(', ')} are gone` });
  }
  const changed = kept.filter((l) => current.has(l.id) && current.get(l.id)!.leaf !== l.leaf);
  for (const [streamId, leaves] of byStream(changed)) {
    const from = Math.min(...leaves.map((l) => l.revision));
    if (leaves.length > 1)
      findings.push({
        kind: 'rewritten_stream',
        streamId,
        detail: `${leaves.length} events differ from revision ${from} on: the stream was rewritten (its hash links recomputed)`,
      });
    else findings.push({ kind: 'changed_event', streamId, detail: `event ${leaves[0].id} at revision ${from} was changed` });
  }
  // The same event at another place in the order: kept events still there, compared in their new order.
  const stillThere = kept.filter((l) => current.has(l.id) && current.get(l.id)!.leaf === l.leaf);
  const order = [...stillThere].sort((a, b) => current.get(a.id)!.index - current.get(b.id)!.index);
  const moved = stillThere.filter((l, i) => order[i].id !== l.id);
  if (moved.length)
    for (const [streamId, leaves] of byStream(moved))
      findings.push({
        kind: 'reordered',
        streamId,
        detail: `${leaves.map((l) => `revision ${l.revision}`).join(', ')} moved in the log's order`,
      });
  const cut = kept.length ? Math.max(...kept.filter((l) => current.has(l.id)).map((l) => current.get(l.id)!.index), -1) : -1;
  for (const [streamId, leaves] of byStream(now.filter((l) => l.index <= cut && !old.has(l.id))))
    findings.push({
      kind: 'inserted',
      streamId,
      detail: `${leaves.length} event(s) inserted into the part of the log the checkpoint covers`,
    });
  return findings;
};
