import { LogLeaf } from './log-tree';
import { diffLog } from './log-diff';

const leaf = (streamId: string, revision: number, tag = ''): Omit<LogLeaf, 'index'> => ({
  id: `${streamId}/${revision}`,
  streamId,
  revision,
  leaf: `${streamId}${revision}${tag}`,
});
const indexed = (ls: Omit<LogLeaf, 'index'>[]): LogLeaf[] => ls.map((l, index) => ({ ...l, index }));
const kinds = (kept: Omit<LogLeaf, 'index'>[], now: Omit<LogLeaf, 'index'>[]) =>
  diffLog(indexed(kept), indexed(now)).map((f) => [f.kind, f.streamId]);

describe('naming what broke against the kept leaves', () => {
  const a = [0, 1, 2].map((r) => leaf('a', r));
  const b = [0, 1].map((r) => leaf('b', r));

  it('tells a removed tail from a removed middle event whose stream went on after the checkpoint', () => {
    expect(kinds([...a, ...b], [a[0], a[1], ...b])).toEqual([['removed_tail', 'a']]);
    expect(kinds([...a, ...b], [a[0], a[1], ...b, leaf('a', 3), leaf('a', 4)])).toEqual([['removed_events', 'a']]);
    expect(kinds([...a, ...b], [...a])).toEqual([['removed_stream', 'b']]);
  });

  it('names one moved event, not every event it passed', () => {
    const log = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => leaf(`s${r}`, 0));
    expect(kinds(log, [...log.slice(1), log[0]])).toEqual([['reordered', 's0']]);
  });

  it('handles a large log without running out of stack', () => {
    const big = Array.from({ length: 200_000 }, (_, i) => leaf(`c${i % 1000}`, Math.floor(i / 1000)));
    const changed = [...big];
    changed[150_000] = { ...changed[150_000], leaf: 'x' };
    expect(kinds(big, changed)).toEqual([['changed_event', big[150_000].streamId]]);
  });
});
