/** @jest-environment node */
import { formatMs, formatPercent, parseDuration, plural, usToMs } from './units';

describe('usToMs', () => {
  it('converts and rounds to the nanosecond', () => {
    expect(usToMs(8376)).toBe(8.376);
    expect(usToMs(0.1 + 0.2)).toBe(0.0003);
    expect(usToMs(1543549524565942)).toBe(1543549524565.942);
    expect(usToMs(NaN)).toBeNaN();
  });
});

describe('formatMs', () => {
  it('prints three decimals', () => {
    expect(formatMs(8376)).toBe('8.376');
    expect(formatMs(0)).toBe('0.000');
    expect(formatMs(306017245)).toBe('306017.245');
    expect(formatMs(-4188)).toBe('-4.188');
    expect(formatMs(-0.0001)).toBe('0.000');
  });

  it('prints a dash for a missing value', () => {
    expect(formatMs(NaN)).toBe('–');
  });
});

describe('formatPercent', () => {
  it('prints one decimal', () => {
    expect(formatPercent(0.2281480674420505)).toBe('22.8');
    expect(formatPercent(1)).toBe('100.0');
    expect(formatPercent(0)).toBe('0.0');
  });

  it('never rounds a small share to zero, nor a share below one to 100 %', () => {
    expect(formatPercent(0.0000004)).toBe('<0.1');
    expect(formatPercent(0.99999)).toBe('99.9');
    expect(formatPercent(0.001436204071161631)).toBe('0.1');
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250_000],
    ['1.5s', 1_500_000],
    ['800us', 800],
    ['800µs', 800],
    ['5000ns', 5],
    ['.5s', 500_000],
    [' 2 ms ', 2000],
  ])('%s is %d µs', (text, us) => {
    expect(parseDuration(text)).toBe(us);
  });

  it.each(['250', 'ms', '-5ms', '1.5 sec', '1m', '', 'p90'])('rejects %p', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('plural', () => {
  it('picks the form by count', () => {
    expect(plural(1, 'trace')).toBe('1 trace');
    expect(plural(2, 'trace')).toBe('2 traces');
    expect(plural(0, 'span lasts', 'spans last')).toBe('0 spans last');
  });
});
