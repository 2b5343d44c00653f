/**
 * Asks the source for the next batch while the current one is being published, so reading the
 * store overlaps the wait for the broker's ack. At most one batch is read ahead.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  // The consumer may stop before awaiting the last read; its failure must not go unhandled.
  pending.catch(() => undefined);
  for (;;) {
    const result = await pending;
    if (result.done) return;
    pending = iterator.next();
    pending.catch(() => undefined);
    yield result.value;
  }
}
