/** `npm run reconcile` arguments; a UsageError is answered with the usage and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ReconcileArgs {
  readonly day: string;
  readonly settlement: string;
  readonly graceHours: number;
  readonly asOf: string | null;
  readonly format: 'text' | 'json' | 'csv';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const parseReconcileArgs = (argv: readonly string[]): ReconcileArgs => {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!['--date', '--settlement', '--grace-hours', '--as-of', '--format'].includes(flag))
      throw new UsageError(`unknown argument "${flag}"`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const day = values.get('--date');
  if (!day) throw new UsageError('--date YYYY-MM-DD is required');
  if (!DAY.test(day) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day)
    throw new UsageError(`--date: "${day}" is not a calendar day YYYY-MM-DD`);
  const settlement = values.get('--settlement');
  if (!settlement) throw new UsageError('--settlement FILE is required');
  const grace = values.get('--grace-hours') ?? '48';
  if (!/^\d{1,4}$/.test(grace)) throw new UsageError(`--grace-hours: "${grace}" is not a whole number of hours`);
  const asOf = values.get('--as-of') ?? null;
  if (asOf !== null && Number.isNaN(Date.parse(asOf))) throw new UsageError(`--as-of: "${asOf}" is not an ISO-8601 time`);
  const format = values.get('--format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'csv') throw new UsageError(`--format: "${format}" is not text, json or csv`);
  return { day, settlement, graceHours: Number(grace), asOf: asOf && new Date(asOf).toISOString(), format };
};
