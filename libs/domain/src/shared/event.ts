/** Domain events are plain readonly objects; `type` is the name they are persisted under. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** A decider in the Emmett sense: pure functions over a state and the events that build it. */
export interface Decider<C, S, E extends DomainEvent> {
  readonly initialState: () => S;
  readonly evolve: (state: S, event: E) => S;
  readonly decide: (command: C, state: S) => E[];
}

export const assertNever = (value: never): never => {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
};
