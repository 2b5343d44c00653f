import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CheckpointedSubscription,
  DEFAULT_RETRY,
  EventStore,
  MerkleFrontier,
  NoteSigner,
  RecordedEvent,
  checkpointText,
  eventLeaf,
} from '@ledger/event-store';
import { CHECKPOINT_FILE, LEAVES_FILE, VERIFIER_FILE } from './checkpoints';

/** Where a signed checkpoint goes besides the auditor's directory (a Kafka topic). */
export interface CheckpointSink {
  publish(origin: string, size: number, note: string): Promise<void>;
  close(): Promise<void>;
}

interface State {
  position: string;
  frontier: ReturnType<MerkleFrontier['toJSON']>;
  signed: number;
}

const STATE_FILE = 'state.json';

/**
 * Signs the log as it grows: one checkpoint every `every` events, or every `intervalMs` when the log
 * grew less, each written to DIR (checkpoint-<size>.txt, checkpoint.txt the latest, leaves.ndjson
 * growing with it) and published to the sink, then the follower's own state (log position and the
 * tree's frontier) saved in DIR: a restart goes on from there, re-reading nothing. It plugs into
 * the one checkpointed subscription; published outside the database, so whoever rewrites the
 * database cannot rewrite what was signed.
 */
export class CheckpointFollower {
  private frontier = new MerkleFrontier();
  private position = 0n;
  private signed = 0;
  private lastSignedAt = Date.now();
  private subscription: CheckpointedSubscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly signer: NoteSigner,
    private readonly dir: string,
    private readonly options: { every: number; intervalMs: number; sink?: CheckpointSink; log: (m: string) => void },
  ) {}

  private load(): void {
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, STATE_FILE);
    if (!existsSync(file)) {
      writeFileSync(join(this.dir, LEAVES_FILE), '');
      return;
    }
    const state = JSON.parse(readFileSync(file, 'utf8')) as State;
    this.frontier = MerkleFrontier.fromJSON(state.frontier);
    this.position = BigInt(state.position);
    this.signed = state.signed;
    // Leaves written after the last saved state (a crash in between) are read again: drop them.
    const leaves = readFileSync(join(this.dir, LEAVES_FILE), 'utf8').split('\n').filter(Boolean);
    if (leaves.length !== this.frontier.size)
      writeFileSync(
        join(this.dir, LEAVES_FILE),
        leaves
          .slice(0, this.frontier.size)
          .map((l) => `${l}\n`)
          .join(''),
      );
  }

  async start(): Promise<void> {
    this.load();
    writeFileSync(join(this.dir, VERIFIER_FILE), `${this.signer.verifierKey()}\n`);
    this.subscription = new CheckpointedSubscription(
      this.store,
      {
        position: () => this.position,
        handle: (batch) => (this.chain = this.chain.catch(() => undefined).then(() => this.handle(batch))),
        running: () => !this.stopped,
        failed: async (err, n) => {
          this.options.log(`checkpoints: reading the log failed (attempt ${n}), retrying: ${(err as Error).message}`);
          return 'retry';
        },
      },
      { batchSize: 1_000, retry: DEFAULT_RETRY },
    );
    this.subscription.start();
    const tick = () => {
      if (this.stopped) return;
      this.chain = this.chain
        .catch(() => undefined)
        .then(() => this.maybeSign(true))
        .catch((err) => this.options.log(`checkpoints: signing failed: ${(err as Error).message}`));
      this.timer = setTimeout(tick, this.options.intervalMs);
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    const lines: string[] = [];
    for (const e of batch) {
      const leaf = eventLeaf(e);
      lines.push(
        `${JSON.stringify({ index: this.frontier.size, id: e.id, streamId: e.streamId, revision: e.revision, leaf: leaf.toString('hex') })}\n`,
      );
      this.frontier.push(leaf);
      if (this.frontier.size - this.signed >= this.options.every) {
        appendFileSync(join(this.dir, LEAVES_FILE), lines.splice(0).join(''));
        this.position = e.position;
        await this.sign();
      }
    }
    if (lines.length) appendFileSync(join(this.dir, LEAVES_FILE), lines.join(''));
    if (batch.length) this.position = batch[batch.length - 1].position;
    this.save();
  }

  private async maybeSign(timed: boolean): Promise<void> {
    if (this.frontier.size > this.signed && (!timed || Date.now() - this.lastSignedAt >= this.options.intervalMs)) await this.sign();
  }

  private async sign(): Promise<void> {
    const size = this.frontier.size;
    const note = this.signer.sign(checkpointText({ origin: this.signer.name, size, root: this.frontier.root() }));
    writeFileSync(join(this.dir, `checkpoint-${size}.txt`), note);
    writeFileSync(join(this.dir, `${CHECKPOINT_FILE}.tmp`), note);
    renameSync(join(this.dir, `${CHECKPOINT_FILE}.tmp`), join(this.dir, CHECKPOINT_FILE));
    // Published before the state moves on: after a crash the same checkpoint is signed and sent again.
    await this.options.sink?.publish(this.signer.name, size, note);
    this.signed = size;
    this.lastSignedAt = Date.now();
    this.save();
  }

  private save(): void {
    const state: State = { position: this.position.toString(), frontier: this.frontier.toJSON(), signed: this.signed };
    writeFileSync(join(this.dir, `${STATE_FILE}.tmp`), JSON.stringify(state));
    renameSync(join(this.dir, `${STATE_FILE}.tmp`), join(this.dir, STATE_FILE));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.subscription?.stop();
    await this.chain.catch(() => undefined);
    await this.maybeSign(false).catch(() => undefined);
    await this.options.sink?.close();
  }
}
