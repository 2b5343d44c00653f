import { burnForecast, usageAdded } from './forecast';

describe('burn-rate forecast', () => {
  const now = '2026-12-10T12:00:00.000Z';
  const expiresAt = '2026-12-30T00:00:00.000Z';

  it('projects the pace of the last days on the data left: data runs out before validity', () => {
    const usage = { '2026-12-08': 300, '2026-12-09': 300, '2026-12-10': 0 };
    const f = burnForecast({ usage, dataRemainingMb: 500, expiresAt, now });
    // 600 MB over 2.5 days = 240 MB a day; 500 MB left ≈ 2.08 days.
    expect(f).toMatchObject({ mbPerDay: 240, endsFirst: 'data', daysLeft: 2 });
    expect(Date.parse(f.dataRunsOutAt!) - Date.parse(now)).toBe(Math.round((500 / 240) * 86_400_000));
  });

  it('says validity ends first when the data outlasts it, and counts nothing older than the window', () => {
    const usage = { '2026-11-01': 100_000, '2026-12-09': 10 };
    const f = burnForecast({ usage, dataRemainingMb: 5_000, expiresAt, now });
    expect(f).toMatchObject({ mbPerDay: 6.7, endsFirst: 'validity', daysLeft: 19, validityEndsAt: expiresAt });
  });

  it('has no data end without use, and nothing at all for a card without validity', () => {
    expect(burnForecast({ usage: {}, dataRemainingMb: 100, expiresAt, now })).toMatchObject({
      mbPerDay: 0,
      dataRunsOutAt: null,
      endsFirst: 'validity',
    });
    expect(burnForecast({ usage: { '2026-12-10': 5 }, dataRemainingMb: 100, expiresAt: null, now })).toMatchObject({
      endsFirst: null,
      daysLeft: null,
    });
  });

  it('keeps the last two windows of days', () => {
    let usage = {};
    for (let d = 1; d <= 20; d++) usage = usageAdded(usage, `2026-12-${String(d).padStart(2, '0')}T08:00:00.000Z`, d);
    usage = usageAdded(usage, '2026-12-20T09:00:00.000Z', 1);
    expect(Object.keys(usage)).toHaveLength(14);
    expect(usage).toMatchObject({ '2026-12-07': 7, '2026-12-20': 21 });
  });
});
