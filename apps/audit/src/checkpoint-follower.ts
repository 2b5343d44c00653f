import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
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
/** A retry of a read is expected (the database restarting); a checkpoint not signed is not. */
export interface FollowerLog {
  warn(message: string): void;
  error(message: string): void;
}

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
  private leavesOnDisk = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly signer: NoteSigner,
    private readonly dir: string,
    private readonly options: { every: number; intervalMs: number; sink?: CheckpointSink; log: FollowerLog },
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
    const count = readFileSync(join(this.dir, LEAVES_FILE), 'utf8').split('\n').filter(Boolean).length;
    if (count < this.frontier.size)
      throw new Error(
        `${join(this.dir, LEAVES_FILE)} holds ${count} leaves, fewer than the ${this.frontier.size} the state covers: restore it, or start in an empty directory`,
      );
    this.leavesOnDisk = count;
  }

  /** Leaves written past the tree (a batch that failed after writing, or a crash): dropped before going on. */
  private trimLeaves(): void {
    if (this.leavesOnDisk === this.frontier.size) return;
    const lines = readFileSync(join(this.dir, LEAVES_FILE), 'utf8').split('\n').filter(Boolean).slice(0, this.frontier.size);
    writeFileSync(join(this.dir, LEAVES_FILE), lines.map((l) => `${l}\n`).join(''));
    this.leavesOnDisk = this.frontier.size;
  }

  private appendLeaves(lines: string[]): void {
    if (!lines.length) return;
    const fd = openSync(join(this.dir, LEAVES_FILE), 'a');
    try {
      writeSync(fd, lines.join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.leavesOnDisk += lines.length;
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
          this.options.log.warn(`checkpoints: reading the log failed (attempt ${n}), retrying: ${(err as Error).message}`);
          return 'retry';
        },
      },
      { batchSize: 1_000, retry: DEFAULT_RETRY, name: 'audit-checkpoints' },
    );
    this.subscription.start();
    const tick = () => {
      if (this.stopped) return;
      this.chain = this.chain
        .catch(() => undefined)
        .then(() => this.maybeSign(true))
        .catch((err) => this.options.log.error(`checkpoints: signing failed: ${(err as Error).message}`));
      this.timer = setTimeout(tick, this.options.intervalMs);
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  /**
   * The batch goes onto a copy of the tree; the copy replaces the tree only once its leaves are on
   * disk (and a checkpoint it reached is signed and published): a failure leaves the tree as it was,
   * and the batch is read again.
   */
  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    this.trimLeaves();
    const work = MerkleFrontier.fromJSON(this.frontier.toJSON());
    let lines: string[] = [];
    for (const e of batch) {
      const leaf = eventLeaf(e);
      lines.push(
        `${JSON.stringify({ index: work.size, id: e.id, streamId: e.streamId, revision: e.revision, leaf: leaf.toString('hex') })}\n`,
      );
      work.push(leaf);
      if (work.size - this.signed >= this.options.every) {
        this.appendLeaves(lines);
        lines = [];
        await this.sign(work);
        this.frontier = MerkleFrontier.fromJSON(work.toJSON());
        this.position = e.position;
        this.save();
      }
    }
    this.appendLeaves(lines);
    this.frontier = work;
    if (batch.length) this.position = batch[batch.length - 1].position;
    this.save();
  }

  private async maybeSign(timed: boolean): Promise<void> {
    if (this.frontier.size > this.signed && (!timed || Date.now() - this.lastSignedAt >= this.options.intervalMs)) {
      await this.sign(this.frontier);
      this.save();
    }
  }

  private async sign(tree: MerkleFrontier): Promise<void> {
    const size = tree.size;
    const note = this.signer.sign(checkpointText({ origin: this.signer.name, size, root: tree.root() }));
    writeFileSync(join(this.dir, `checkpoint-${size}.txt`), note);
    writeFileSync(join(this.dir, `${CHECKPOINT_FILE}.tmp`), note);
    renameSync(join(this.dir, `${CHECKPOINT_FILE}.tmp`), join(this.dir, CHECKPOINT_FILE));
    // Published before the state moves on: after a crash the same checkpoint is signed and sent again.
    await this.options.sink?.publish(this.signer.name, size, note);
    this.signed = size;
    this.lastSignedAt = Date.now();
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
