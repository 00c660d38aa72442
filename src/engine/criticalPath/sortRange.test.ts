/** @jest-environment node */
import fc from 'fast-check';

import { sortRange } from './sortRange';

describe('sortRange', () => {
  it('orders a range exactly as a stable sort does, leaving the rest alone (short and long runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 60 }), fc.nat(), fc.nat(), (keys, a, b) => {
        // Values are positions; the comparator looks at their keys, so ties show whether order is kept.
        const values = Int32Array.from(keys, (_, i) => i);
        const from = keys.length === 0 ? 0 : a % (keys.length + 1);
        const to = from + (keys.length === 0 ? 0 : b % (keys.length - from + 1));
        const compare = (x: number, y: number) => keys[x] - keys[y];
        const expected = [...values.slice(0, from), ...[...values.slice(from, to)].sort(compare), ...values.slice(to)];
        sortRange(values, from, to, compare);
        expect(Array.from(values)).toEqual(expected);
      })
    );
  });
});
