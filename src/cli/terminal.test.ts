import { terminalWidth } from './terminal';

describe('terminalWidth', () => {
  it('COLUMNS first, then a terminal on stdout, else no limit', () => {
    expect(terminalWidth({ COLUMNS: '80' }, { isTTY: true, columns: 200 })).toBe(80);
    expect(terminalWidth({ COLUMNS: '80' }, {})).toBe(80);
    expect(terminalWidth({}, { isTTY: true, columns: 132 })).toBe(132);
    expect(terminalWidth({}, { columns: 132 })).toBeUndefined(); // not a terminal: piped output keeps every column
    expect(terminalWidth({}, {})).toBeUndefined();
  });

  it('ignores a COLUMNS that is not a width', () => {
    for (const junk of ['', '0', '-5', 'wide', '80px', '1e3']) {
      expect(terminalWidth({ COLUMNS: junk }, { isTTY: true, columns: 100 })).toBe(100);
    }
  });
});
