import type { Decider, DomainErrorCode, DomainEvent } from '@ledger/domain';
import { DomainError } from '@ledger/domain';

export interface ThenClause<E> {
  /**
   * Synchronous on purpose: an object with `then` is a thenable, so never `await` or return a
   * `when(...)` from a test.
   */
  then(expected: readonly E[]): void;
  thenNothing(): void;
  thenThrows(code: DomainErrorCode): void;
}

export interface WhenClause<C, E> {
  when(command: C): ThenClause<E>;
}

export interface GivenClause<C, E> {
  given(events: readonly E[]): WhenClause<C, E>;
}

const describeError = (error: unknown): string =>
  error instanceof DomainError ? `DomainError ${error.code}: ${error.message}` : String(error);

const specify = <C, S, E extends DomainEvent>(decider: Decider<C, S, E>, history: readonly E[], command: C): ThenClause<E> => {
  // Decided lazily so a throw from decide is attributed to the assertion the test chose.
  const decide = (): { state: S; events: E[] } => {
    const state = history.reduce(decider.evolve, decider.initialState());
    return { state, events: decider.decide(command, state) };
  };
  return {
    then(expected) {
      const { state, events } = decide();
      expect(events).toEqual(expected);
      // Events a decider emits must also be events its own evolve accepts.
      events.reduce(decider.evolve, state);
    },
    thenNothing() {
      expect(decide().events).toEqual([]);
    },
    thenThrows(code) {
      let decided: E[];
      try {
        decided = decide().events;
      } catch (error) {
        if (error instanceof DomainError && error.code === code) return;
        throw new Error(`expected DomainError ${code}, but decide threw ${describeError(error)}`);
      }
      throw new Error(`expected DomainError ${code}, but decide returned ${JSON.stringify(decided)}`);
    },
  };
};

/** Given/When/Then for deciders: history of events, one command, then the events it decides. */
export const DeciderSpecification = {
  for: <C, S, E extends DomainEvent>(decider: Decider<C, S, E>): GivenClause<C, E> => ({
    given: (events) => ({
      when: (command) => specify(decider, events, command),
    }),
  }),
};
