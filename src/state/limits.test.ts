import { clampMaxTraces } from './limits';

describe('clampMaxTraces', () => {
  it.each([
    [undefined, 500],
    [0, 500],
    [-3, 500],
    [Number.NaN, 500],
    [1, 1],
    [250.7, 250],
    [1500, 1500],
    [5000, 1500],
  ])('%p → %p', (input, expected) => {
    expect(clampMaxTraces(input)).toBe(expected);
  });
});
