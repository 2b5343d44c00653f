import { CommandBus } from '@nestjs/cqrs';
import { commandDuration, commandsTotal, inSpan } from '@ledger/observability';
import { toProblem } from '../http/problem-details.filter';

/** ok; rejected (the request was wrong or the card refused it); conflict (lost every retry); error (ours). */
const outcomeOf = (err: unknown): 'rejected' | 'conflict' | 'error' => {
  const { status, code } = toProblem(err);
  if (code === 'CONCURRENCY_CONFLICT') return 'conflict';
  return status < 500 ? 'rejected' : 'error';
};

/**
 * Every command the bus executes is a span (`command <Type>`, the parent of its appends) and is
 * counted by type and outcome. Wrapping the bus's one entry point covers every handler, present
 * and future, without each remembering to measure itself.
 */
export const measureCommands = (bus: CommandBus): void => {
  const execute = bus.execute.bind(bus) as (command: object, ...rest: unknown[]) => Promise<unknown>;
  (bus as { execute: unknown }).execute = (command: object, ...rest: unknown[]) => {
    const type = command.constructor.name.replace(/Command$/, '');
    const end = commandDuration.startTimer({ type });
    return inSpan(`command ${type}`, { 'ledger.command': type }, async () => {
      try {
        const result = await execute(command, ...rest);
        commandsTotal.inc({ type, outcome: 'ok' });
        return result;
      } catch (err) {
        commandsTotal.inc({ type, outcome: outcomeOf(err) });
        throw err;
      } finally {
        end();
      }
    });
  };
};
