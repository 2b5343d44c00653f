import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalRecord } from './model';

export const JOURNAL_FILE = 'psp-journal.ndjson';

/**
 * Append-only NDJSON. Every record is fsynced before the HTTP answer that depends on it, so what a
 * client was told survives kill -9; replaying the file rebuilds the whole state.
 */
export class Journal {
  private constructor(private fd: number | null) {}

  /** dataDir null: memory only (unit tests). */
  static open(dataDir: string | null): { journal: Journal; records: JournalRecord[] } {
    if (dataDir === null) return { journal: new Journal(null), records: [] };
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, JOURNAL_FILE);
    const records = existsSync(path) ? Journal.read(path) : [];
    return { journal: new Journal(openSync(path, 'a')), records };
  }

  private static read(path: string): JournalRecord[] {
    const bytes = readFileSync(path);
    const end = bytes.lastIndexOf(0x0a) + 1;
    // A last line without its newline is a write that kill -9 interrupted: nobody was answered on
    // it, so it is dropped, and cut off so that the next record starts on a line of its own.
    if (end < bytes.length) truncateSync(path, end);
    const lines = bytes.subarray(0, end).toString('utf8').split('\n');
    const records: JournalRecord[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        throw new Error(`${path}:${i + 1}: corrupt journal line (only a torn last line is expected)`);
      }
    });
    return records;
  }

  append(record: JournalRecord): void {
    if (this.fd === null) return;
    appendFileSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
