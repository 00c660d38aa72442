/** @jest-environment node */
import { CardinalityGuard, OTHER } from './cardinality';

describe('CardinalityGuard', () => {
  it('admits pairs up to its limit, then folds new operations into "other" of their service', () => {
    const guard = new CardinalityGuard(2);
    expect(guard.labels('web', 'GET /')).toEqual({ service: 'web', operation: 'GET /', folded: false });
    expect(guard.labels('db', 'query').folded).toBe(false);
    expect(guard.labels('web', 'GET /')).toEqual({ service: 'web', operation: 'GET /', folded: false });
    expect(guard.labels('web', 'POST /x')).toEqual({ service: 'web', operation: OTHER, folded: true });
    expect(guard.labels('spam', 'anything')).toEqual({ service: OTHER, operation: OTHER, folded: true });
    expect(guard.service('web')).toBe('web');
    expect(guard.service('spam')).toBe(OTHER);
  });

  it('never exports more than 2 × limit + 1 label pairs, whatever it is given', () => {
    const guard = new CardinalityGuard(5);
    const seen = new Set<string>();
    for (let s = 0; s < 50; s++) {
      for (let o = 0; o < 50; o++) {
        const { service, operation } = guard.labels(`svc-${s % 7}-${s}`, `op-${o}`);
        seen.add(`${service}\u0000${operation}`);
      }
    }
    expect(seen.size).toBeLessThanOrEqual(11);
  });
});
