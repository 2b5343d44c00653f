import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@ledger/domain';
import { ConcurrencyError } from '@ledger/event-store';
import { metricsText } from '@ledger/observability';
import { measureCommands } from './command-metrics';

class ProbeCardCommand {
  constructor(readonly outcome: 'ok' | 'refused' | 'conflict' | 'bug') {}
}

describe('commands counted by type and outcome', () => {
  it('tells a refusal, a lost conflict and our own error apart', async () => {
    const bus = {
      execute: async (c: ProbeCardCommand) => {
        if (c.outcome === 'refused') throw new DomainError('INSUFFICIENT_DATA', 'not enough data left');
        if (c.outcome === 'conflict') throw new ConcurrencyError('subscription-x', 3, 4);
        if (c.outcome === 'bug') throw new TypeError('undefined is not a function');
        return 'done';
      },
    } as unknown as CommandBus;
    measureCommands(bus);
    await expect(bus.execute(new ProbeCardCommand('ok'))).resolves.toBe('done');
    for (const outcome of ['refused', 'conflict', 'bug'] as const)
      await expect(bus.execute(new ProbeCardCommand(outcome))).rejects.toThrow();
    const text = await metricsText();
    const count = (outcome: string) =>
      Number(new RegExp(`^ledger_commands_total\\{type="ProbeCard",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect([count('ok'), count('rejected'), count('conflict'), count('error')]).toEqual([1, 1, 1, 1]);
    expect(text).toMatch(/^ledger_command_duration_seconds_count\{type="ProbeCard"\} 4$/m);
  });
});
