import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';

export interface DirectoryHolder {
  readonly pid: number;
  readonly command: string;
}

/**
 * PGlite is PostgreSQL in one process with no lock of its own on the data directory (its
 * postmaster.pid is always there), so a second process would corrupt it. On Linux the process
 * that has it open is visible in /proc: any open file under `dir` gives it away. Elsewhere, or
 * without permission to look, this finds nothing and the caller relies on the documented rule.
 */
export const processesHolding = (dir: string): DirectoryHolder[] => {
  const prefix = resolve(dir) + sep;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  const holders: DirectoryHolder[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(prefix);
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '?';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      // The process may have exited in between; its pid is still worth reporting.
    }
    holders.push({ pid: Number(pid), command });
  }
  return holders;
};
