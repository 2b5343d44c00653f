/** Probes, scrapes and readiness checks wait this long for a dependency, and no longer. */
export const PROBE_TIMEOUT_MS = 2000;

/**
 * `work`'s answer, or `fallback(reason)` when it throws (even synchronously) or has not answered
 * within `ms`: a dependency that hangs must not hang whoever asked.
 */
export const within = async <T>(work: () => T | Promise<T>, fallback: (reason: string) => T, ms = PROBE_TIMEOUT_MS): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((r) => (timer = setTimeout(() => r(fallback('timed out')), ms)));
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .catch((err: Error) => fallback(err?.message ?? String(err))),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
};
