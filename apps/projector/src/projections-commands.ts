import {
  LEDGER_PROJECTION_NAMES,
  LagCounter,
  LedgerStorage,
  ProjectionComparison,
  RebuildReport,
  RowDifference,
  digestProjection,
  projectionStatuses,
  rebuildProjections,
} from '@ledger/read-models';

export type Print = (line: string) => void;

const table = (rows: string[][]): string[] => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
};

export const statusCommand = async (storage: LedgerStorage, lagOf: LagCounter, json: boolean, print: Print): Promise<number> => {
  const views = await projectionStatuses(storage.dataSource, lagOf);
  if (json) {
    print(JSON.stringify(views, null, 2));
    return 0;
  }
  const rows = views.map((v) => [
    v.name,
    v.state,
    v.position,
    `${v.lag.atLeast ? '>=' : ''}${v.lag.events}`,
    v.lastError ? `event ${v.lastError.eventId ?? '-'} at position ${v.lastError.position ?? '-'}: ${v.lastError.error}` : (v.note ?? ''),
  ]);
  table([['PROJECTION', 'STATE', 'POSITION', 'LAG', 'LAST ERROR / NOTE'], ...rows]).forEach(print);
  const aside = views.flatMap((v) => v.quarantined);
  if (aside.length) {
    print('');
    print(`${aside.length} stream(s) set aside at an event the projection could not apply (fix, then rebuild the projection):`);
    for (const q of aside) print(`  ${q.name} ${q.streamId}: event ${q.eventId} (${q.eventType}) at position ${q.position}: ${q.error}`);
  }
  return views.some((v) => v.state === 'failed') ? 4 : aside.length ? 5 : 0;
};

const cell = (row: Record<string, unknown> | null, column: string): string =>
  row === null ? '(no row)' : JSON.stringify(row[column] ?? null);

const describeDifference = (d: RowDifference): string => {
  if (d.live === null) return `  ${d.table} ${d.key}: only in the rebuild ${JSON.stringify(d.rebuilt)}`;
  if (d.rebuilt === null) return `  ${d.table} ${d.key}: only in the live table ${JSON.stringify(d.live)}`;
  return `  ${d.table} ${d.key}: ${d.columns.map((c) => `${c} live=${cell(d.live, c)} rebuilt=${cell(d.rebuilt, c)}`).join('; ')}`;
};

const describeComparison = (c: ProjectionComparison, print: Print): void => {
  const same = c.live.sha256 === c.rebuilt.sha256;
  print(`${c.name}: ${same ? 'identical' : 'DIFFERENT'}`);
  print(`  live     sha256 ${c.live.sha256}  ${c.live.rows} rows`);
  print(`  rebuilt  sha256 ${c.rebuilt.sha256}  ${c.rebuilt.rows} rows`);
  if (c.liveError) print(`  the live projection could not be brought to the same position: ${c.liveError}`);
  if (c.differences.count > 0) {
    print(
      `  ${c.differences.count} row(s) differ${c.differences.count > c.differences.samples.length ? `; the first ${c.differences.samples.length}:` : ':'}`,
    );
    c.differences.samples.forEach((d) => print(describeDifference(d)));
  }
};

export const rebuildCommand = async (
  storage: LedgerStorage,
  names: readonly string[],
  options: { force: boolean; batchSize: number; log: Print },
  print: Print,
): Promise<number> => {
  const logger = { log: options.log, warn: (m: string) => options.log(`warning: ${m}`), error: (m: string) => options.log(`error: ${m}`) };
  const report: RebuildReport = await rebuildProjections(storage, names, { force: options.force, batchSize: options.batchSize, logger });
  report.comparisons.forEach((c) => describeComparison(c, print));
  const rate = report.catchUpSeconds > 0 ? Math.round(report.events / report.catchUpSeconds) : report.events;
  print(
    `replayed ${report.events} events (${rate} events/s), wrote ${report.rowsWritten} rows in ${report.transactions} transactions; ${report.totalSeconds.toFixed(1)} s in all`,
  );
  if (report.switched) {
    print(`switched ${report.names.join(', ')} to the rebuilt tables at position ${report.position}`);
    return 0;
  }
  print(`NOT switched: the rebuilt rows differ from the live ones at position ${report.position}.`);
  print(
    `The rebuild is kept in ${report.names.map((n) => `${n}__rebuild`).join(', ')} for inspection; run again with --force to switch anyway.`,
  );
  return 3;
};

export const digestCommand = async (storage: LedgerStorage, names: readonly string[], json: boolean, print: Print): Promise<number> => {
  const digests = [];
  for (const name of names.length ? names : LEDGER_PROJECTION_NAMES) digests.push(await digestProjection(storage.dataSource, name));
  if (json) print(JSON.stringify(digests, null, 2));
  else
    table([['PROJECTION', 'POSITION', 'ROWS', 'SHA256'], ...digests.map((d) => [d.name, d.position, String(d.rows), d.sha256])]).forEach(
      print,
    );
  return 0;
};
