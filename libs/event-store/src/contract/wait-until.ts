/**
 * Polls a condition until it holds, failing after `timeoutMs`. Only a bound: tests never treat
 * the passing of time as evidence, they wait for the state they assert on.
 */
export const waitUntil = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
