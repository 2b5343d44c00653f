import { OutgoingMessage, TopicBatch, chunkBatches, estimateBytes } from './message-chunks';

const msg = (i: number, size = 100): OutgoingMessage => ({
  key: `card-${i % 3}`,
  value: 'x'.repeat(size),
  headers: { ce_id: String(i).padStart(3, '0') },
});
const ids = (chunks: TopicBatch[][]): string[] => chunks.flat().flatMap((b) => b.messages.map((m) => `${b.topic}:${m.headers.ce_id}`));

describe('chunking a publish batch into produce calls', () => {
  const main = { topic: 'main', messages: Array.from({ length: 25 }, (_, i) => msg(i)) };
  const dlq = { topic: 'dlq', messages: [msg(100)] };

  it('keeps every message once, in order, topic by topic', () => {
    const chunks = chunkBatches([main, dlq], 1_000, 7);
    expect(ids(chunks)).toEqual(ids([[main, dlq]]));
  });

  it('caps the bytes of each call', () => {
    const cap = 5 * estimateBytes(msg(0));
    const chunks = chunkBatches([main], cap, 1_000);
    expect(chunks.length).toBe(5);
    for (const c of chunks) expect(c.flatMap((b) => b.messages).reduce((n, m) => n + estimateBytes(m), 0)).toBeLessThanOrEqual(cap);
  });

  it('caps the messages of each call', () => {
    expect(chunkBatches([main, dlq], 1e9, 10).map((c) => c.reduce((n, b) => n + b.messages.length, 0))).toEqual([10, 10, 6]);
  });

  it('sends a message larger than the cap on its own rather than never', () => {
    const chunks = chunkBatches([{ topic: 'main', messages: [msg(1), msg(2, 5_000), msg(3)] }], 1_000, 100);
    expect(chunks.map((c) => c[0].messages.map((m) => m.headers.ce_id))).toEqual([['001'], ['002'], ['003']]);
  });

  it('makes no call for nothing', () => {
    expect(chunkBatches([{ topic: 'main', messages: [] }], 1_000, 10)).toEqual([]);
  });
});
