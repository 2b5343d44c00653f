import { parseReplayArgs } from './replay-args';

describe('replay arguments', () => {
  it('reads a position range and a topic', () => {
    expect(parseReplayArgs(['--topic', 'cards.replay', '--from-position', '10', '--to-position=20'])).toMatchObject({
      topic: 'cards.replay',
      start: { fromPosition: 10n },
      toPosition: 20n,
      batchSize: 2000,
    });
  });

  it('reads a start time and normalizes it to UTC', () => {
    expect(parseReplayArgs(['--topic=t', '--from-time', '2025-03-01T01:00:00+01:00']).start).toEqual({
      fromTime: '2025-03-01T00:00:00.000Z',
    });
  });

  it.each([
    [['--from-position', '1'], '--topic'],
    [['--topic', 't'], 'exactly one of'],
    [['--topic', 't', '--from-position', '1', '--from-time', '2025-03-01T00:00:00Z'], 'exactly one of'],
    [['--topic', 't', '--from-time', 'last tuesday'], '--from-time'],
    [['--topic', 't', '--from-position', '-3'], '--from-position'],
    [['--topic', 't', '--from-position', '1', '--form-position', '2'], 'unknown argument'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(message);
  });
});
