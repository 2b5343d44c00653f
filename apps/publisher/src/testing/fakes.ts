import type { BatchProducer, TopicBatch } from '@ledger/messaging';
import type { CheckpointStore } from '../checkpoint/publisher-checkpoint';

/** Records what was acknowledged; `failNext(n)` makes the next n sends fail, `hold()` delays acks. */
export class FakeProducer implements BatchProducer {
  readonly acked: TopicBatch[][] = [];
  attempts = 0;
  resets = 0;
  private failures = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  failNext(n: number): void {
    this.failures = n;
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  async send(batches: readonly TopicBatch[]): Promise<void> {
    this.attempts++;
    if (this.gate) await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('broker unreachable');
    }
    this.acked.push(batches.map((b) => ({ topic: b.topic, messages: [...b.messages] })));
  }

  async reset(): Promise<void> {
    this.resets++;
  }

  async close(): Promise<void> {}

  messages(topic: string) {
    return this.acked
      .flat()
      .filter((b) => b.topic === topic)
      .flatMap((b) => b.messages);
  }
}

export class MemoryCheckpoints implements CheckpointStore {
  readonly saves: bigint[] = [];
  failSaves = 0;

  async load(): Promise<bigint> {
    return this.saves.at(-1) ?? 0n;
  }

  async save(_name: string, position: bigint): Promise<void> {
    if (this.failSaves > 0 && this.failSaves--) throw new Error('checkpoint table unavailable');
    this.saves.push(position);
  }
}

export const waitUntil = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
