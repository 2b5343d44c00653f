import { RFC3339 } from '@ledger/messaging';
import type { ReplayOptions } from './replayer';

export class UsageError extends Error {}

export interface ReplayArgs extends ReplayOptions {
  readonly help: boolean;
  readonly partitions?: number;
}

const position = (flag: string, raw: string | undefined): bigint => {
  if (!raw || !/^\d+$/.test(raw)) throw new UsageError(`${flag} expects a non-negative integer log position, got "${raw ?? ''}"`);
  return BigInt(raw);
};

/** --flag value or --flag=value; unknown flags are errors, so a typo cannot replay the wrong range. */
export const parseReplayArgs = (argv: readonly string[], defaultBatchSize = 2000): ReplayArgs => {
  const values = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') return { help: true, topic: '', start: { fromPosition: 0n }, batchSize: defaultBatchSize };
    if (!['--topic', '--from-position', '--from-time', '--to-position', '--batch-size', '--partitions'].includes(flag)) {
      throw new UsageError(`unknown argument ${argv[i]}`);
    }
    values.set(flag, inline ?? argv[++i]);
  }
  const topic = values.get('--topic');
  if (!topic || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) throw new UsageError('--topic <name> is required (a valid Kafka topic name)');
  const hasPosition = values.has('--from-position');
  const time = values.get('--from-time');
  if (hasPosition === values.has('--from-time')) throw new UsageError('give exactly one of --from-position <n> or --from-time <ISO-8601>');
  if (!hasPosition && (!time || !RFC3339.test(time))) throw new UsageError(`--from-time expects an ISO-8601 UTC time, got "${time ?? ''}"`);
  const int = (flag: string): number | undefined => {
    const raw = values.get(flag);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`${flag} expects a positive integer, got "${raw}"`);
    return Number(raw);
  };
  return {
    help: false,
    topic,
    start: hasPosition
      ? { fromPosition: position('--from-position', values.get('--from-position')) }
      : { fromTime: new Date(time!).toISOString() },
    toPosition: values.has('--to-position') ? position('--to-position', values.get('--to-position')) : undefined,
    batchSize: int('--batch-size') ?? defaultBatchSize,
    partitions: int('--partitions'),
  };
};
