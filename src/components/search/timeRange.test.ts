import { dateTime } from '@grafana/data';

import { isValidUrlTime, rawOf, resolveRange, shiftRange, zoomOut } from './timeRange';

describe('URL time ranges', () => {
  it('resolves relative and epoch-ms values', () => {
    // Grafana's convertRawToRange reads the clock once for `from` and once for `to`: a millisecond may pass between.
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const relative = resolveRange({ from: 'now-6h', to: 'now' });
    jest.useRealTimers();
    expect(relative.to.valueOf()).toBe(1_700_000_000_000);
    expect(relative.to.valueOf() - relative.from.valueOf()).toBe(6 * 3600_000);
    expect(relative.raw).toEqual({ from: 'now-6h', to: 'now' });
    const absolute = resolveRange({ from: '1700000000000', to: '1700003600000' });
    expect([absolute.from.valueOf(), absolute.to.valueOf()]).toEqual([1700000000000, 1700003600000]);
  });

  it('falls back to the last hour for values it cannot read', () => {
    expect(isValidUrlTime('yesterday-ish')).toBe(false);
    const fallback = resolveRange({ from: 'yesterday-ish', to: 'now' });
    expect(fallback.raw).toEqual({ from: 'now-1h', to: 'now' });
  });

  it('writes what the picker chose: relative kept, absolute as epoch ms', () => {
    const range = {
      from: dateTime(1700000000000),
      to: dateTime(1700000600000),
      raw: { from: 'now-10m', to: dateTime(1700000600000) },
    };
    expect(rawOf(range)).toEqual({ from: 'now-10m', to: '1700000600000' });
  });

  it('moves by half a range and zooms out around the centre, as Grafana does', () => {
    const range = resolveRange({ from: '1700000000000', to: '1700003600000' });
    expect(shiftRange(range, -1)).toEqual({ from: '1699998200000', to: '1700001800000' });
    expect(shiftRange(range, 1)).toEqual({ from: '1700001800000', to: '1700005400000' });
    expect(zoomOut(range)).toEqual({ from: '1699998200000', to: '1700005400000' });
  });
});
