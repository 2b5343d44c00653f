import { DataSource } from 'typeorm';
import { ProjectionPosition, TooManyWaitersError } from './projection-position';

/** A checkpoint table that answers whatever the test says the projection has reached. */
const table = (at: { value: bigint }) => ({ query: async () => [{ name: 'p', position: at.value.toString() }] }) as unknown as DataSource;

describe('waiting for the projection (read-your-writes)', () => {
  it('wakes a waiter when the in-process projector reports, without waiting for a poll', async () => {
    const at = { value: 1n };
    const position = new ProjectionPosition(table(at), ['p'], 5000, 10, 60_000);
    const waiting = position.waitFor(5n);
    await new Promise((r) => setTimeout(r, 10));
    at.value = 5n;
    position.projected(5n);
    await expect(waiting).resolves.toBe(true);
  });

  it('wakes a waiter whose position was reported between its check and its arrival', async () => {
    const at = { value: 1n };
    const position = new ProjectionPosition(table(at), ['p'], 2000, 10, 50);
    position.projected(1n);
    const waiting = position.waitFor(3n);
    // The report lands while the waiter is still reading the table.
    position.projected(3n);
    at.value = 3n;
    await expect(waiting).resolves.toBe(true);
  });

  it('answers false at the deadline, and refuses beyond the bound at once', async () => {
    const at = { value: 0n };
    const position = new ProjectionPosition(table(at), ['p'], 50, 1, 10);
    const first = position.waitFor(9n);
    await new Promise((r) => setTimeout(r, 5));
    await expect(position.waitFor(9n)).rejects.toThrow(TooManyWaitersError);
    await expect(first).resolves.toBe(false);
  });
});
