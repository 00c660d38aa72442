/** @jest-environment node */
import fc from 'fast-check';

import { PairTable } from './pairTable';

describe('PairTable', () => {
  it('finds what a Map keyed by the pair finds, through growth and clears', () => {
    const pair = fc.tuple(fc.integer({ min: -1, max: 3000 }), fc.integer({ min: -1, max: 3000 }));
    const step = fc.oneof(
      { weight: 20, arbitrary: pair.map(([p, o]) => ({ kind: 'add' as const, p, o })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const, p: 0, o: 0 }) }
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 600 }), (steps) => {
        const table = new PairTable();
        let reference = new Map<string, number>();
        steps.forEach(({ kind, p, o }, id) => {
          if (kind === 'clear') {
            table.clear();
            reference = new Map();
            return;
          }
          const key = `${p},${o}`;
          expect(table.get(p, o)).toBe(reference.get(key) ?? -1);
          if (!reference.has(key)) {
            table.set(p, o, id);
            reference.set(key, id);
          }
        });
        for (const [key, id] of reference) {
          const [p, o] = key.split(',').map(Number);
          expect(table.get(p, o)).toBe(id);
        }
      }),
      { seed: 15_2026, numRuns: 200 }
    );
  });
});
