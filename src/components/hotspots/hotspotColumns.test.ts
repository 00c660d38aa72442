import { fitColumns, OPTIONAL_COLUMNS } from './hotspotColumns';

/** Table widths the hotspot table gets: inside panel frames (8 px padding each side) and in a page. */
const HALF_WIDTH_PANEL = 900 - 18;
const DEFAULT_PANEL = 1200 - 18;
const LAPTOP_PAGE = 1440 - 32;
const FULL_WIDTH_PANEL = 1800 - 18;

describe('fitColumns', () => {
  it('shows every column until the width is known (first render, or no ResizeObserver)', () => {
    expect(fitColumns(undefined, false)).toEqual({ shown: [...OPTIONAL_COLUMNS], hidden: [] });
  });

  it.each([
    [400, [], 'CP share alone next to the names'],
    [HALF_WIDTH_PANEL, ['cpTotal', 'exemplar'], 'a half-width panel: the CP time and the costliest trace'],
    [DEFAULT_PANEL, ['cpTotal', 'exemplar', 'cpP95'], 'then the per-trace percentiles'],
    [LAPTOP_PAGE, ['cpTotal', 'exemplar', 'cpP95', 'spanP95', 'self'], 'a page on a laptop: all but the counts'],
    [FULL_WIDTH_PANEL, [...OPTIONAL_COLUMNS], 'a full-width panel: everything'],
  ])('at %i px shows %j (%s)', (width, shown) => {
    const fit = fitColumns(width, false);
    expect(fit.shown).toEqual(shown);
    // Everything else is listed as hidden, in table order: the cue and the column chooser name them.
    expect(fit.hidden).toEqual(OPTIONAL_COLUMNS.filter((id) => !shown.includes(id)));
  });

  it('takes columns in priority order only: a narrow one never jumps a wider, more important one', () => {
    // Room for CP total and the costliest trace, and 100 px more: Calls (75 px) would fit, CP/trace does not.
    const fit = fitColumns(HALF_WIDTH_PANEL + 100, false);
    expect(fit.shown).toEqual(['cpTotal', 'exemplar']);
    expect(fit.hidden[0]).toBe('cpP95');
  });

  it('fits more numbers per service (no operation column)', () => {
    expect(fitColumns(DEFAULT_PANEL, true).shown.length).toBeGreaterThan(fitColumns(DEFAULT_PANEL, false).shown.length);
  });

  it("adds the user's choices to what fits: a hidden column frees its room, a chosen one pushes none out", () => {
    // Without the costliest trace, the per-trace percentiles, span p95 and self time fit a 1,200 px panel.
    expect(fitColumns(DEFAULT_PANEL, false, { exemplar: false }).shown).toEqual([
      'cpTotal',
      'cpP95',
      'spanP95',
      'self',
    ]);
    // Traces asked for: shown at the end, and what fitted still does.
    expect(fitColumns(DEFAULT_PANEL, false, { traces: true }).shown).toEqual([
      'cpTotal',
      'exemplar',
      'cpP95',
      'traces',
    ]);
    // Chosen even where nothing else fits.
    expect(fitColumns(300, false, { calls: true })).toEqual({
      shown: ['calls'],
      hidden: OPTIONAL_COLUMNS.filter((id) => id !== 'calls'),
    });
  });
});
