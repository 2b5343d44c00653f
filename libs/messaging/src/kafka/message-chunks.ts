export interface OutgoingMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TopicBatch {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
}

/** Per-record framing the estimate adds to key, value and headers (lengths, offsets, attributes). */
const RECORD_OVERHEAD = 24;
const HEADER_OVERHEAD = 4;

export const estimateBytes = (m: OutgoingMessage): number => {
  let n = RECORD_OVERHEAD + Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
  for (const k in m.headers) n += HEADER_OVERHEAD + k.length + Buffer.byteLength(m.headers[k]);
  return n;
};

/**
 * kafkajs sends one record batch per partition per call and never splits it, while the broker
 * refuses a record batch above message.max.bytes (1 MiB by default). Capping the bytes of a whole
 * call keeps every partition's share under the cap whatever the key distribution is.
 * Order is kept: chunks are sent one after another, and messages keep their order inside a topic.
 */
export const chunkBatches = (batches: readonly TopicBatch[], maxBytes: number, maxMessages: number): TopicBatch[][] => {
  const chunks: TopicBatch[][] = [];
  let current: TopicBatch[] = [];
  let bytes = 0;
  let count = 0;
  const flush = (): void => {
    if (count > 0) chunks.push(current);
    current = [];
    bytes = 0;
    count = 0;
  };
  for (const { topic, messages } of batches) {
    let run: OutgoingMessage[] = [];
    for (const m of messages) {
      const size = estimateBytes(m);
      if (count > 0 && (bytes + size > maxBytes || count + 1 > maxMessages)) {
        if (run.length) current.push({ topic, messages: run });
        run = [];
        flush();
      }
      run.push(m);
      bytes += size;
      count++;
    }
    if (run.length) current.push({ topic, messages: run });
  }
  flush();
  return chunks;
};
