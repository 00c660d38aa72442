/** @jest-environment node */
import { parseCommandLine, parseCompare, parseWhatIf, UsageError } from './args';

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('--version, alone or with a command', () => {
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
    expect(parseCommandLine(['analyze', 'x.json', '--version'])).toEqual({ command: 'version' });
  });

  it('has defaults for everything but the input', () => {
    expect(parseCommandLine(['analyze', 'traces.json'])).toEqual({
      command: 'analyze',
      inputs: ['traces.json'],
      top: undefined,
      by: 'operation',
      format: 'table',
      window: 'root',
      asyncBlocking: false,
      criticalPaths: false,
      compare: undefined,
      attributes: false,
      whatIf: undefined,
      jobs: undefined,
    });
  });

  it('reads every option, before or after the inputs', () => {
    expect(
      parseCommandLine([
        'analyze',
        '--top',
        '5',
        'a.json',
        'dir',
        '-',
        '--by=service',
        '--format',
        'json',
        '--window',
        'full',
        '--async-blocking',
        '--critical-paths',
        '--compare',
        'p95',
        '--attributes',
        '--what-if',
        'checkout::POST /pay=-25%',
        '--jobs',
        '3',
      ])
    ).toEqual({
      command: 'analyze',
      inputs: ['a.json', 'dir', '-'],
      top: 5,
      by: 'service',
      format: 'json',
      window: 'full',
      asyncBlocking: true,
      criticalPaths: true,
      compare: { label: 'p95', split: { percentile: 95 } },
      attributes: true,
      whatIf: { service: 'checkout', operation: 'POST /pay', reduction: 0.25 },
      jobs: 3,
    });
  });

  it('lists shared attributes with every comparison unless --no-attributes; --attributes is still accepted', () => {
    const attributes = (...argv: string[]) => {
      const command = parseCommandLine(['analyze', 'x.json', ...argv]);
      return command.command === 'analyze' ? command.attributes : undefined;
    };
    expect(attributes('--compare', 'p90')).toBe(true);
    expect(attributes('--compare', 'p90', '--attributes')).toBe(true);
    expect(attributes('--compare', 'p90', '--no-attributes')).toBe(false);
    expect(attributes('--no-attributes')).toBe(false);
    expect(attributes()).toBe(false);
  });

  it.each([[['--help']], [['-h']], [['analyze', 'x.json', '--help']], [['help']]])('%p asks for help', (argv) => {
    expect(parseCommandLine(argv)).toEqual({ command: 'help' });
  });

  it.each([
    [[], /missing command/],
    [['analyse', 'x.json'], /unknown command "analyse"/],
    [['analyze'], /missing input/],
    [['analyze', '-', '-'], /stdin\) can be given only once/],
    [['analyze', 'x.json', '--bogus'], /^Unknown option '--bogus'$/],
    [['analyze', 'x.json', '--top'], /argument missing/],
    [['analyze', 'x.json', '--top', '0'], /--top must be a whole number of at least 1, not "0"/],
    [['analyze', 'x.json', '--top', '2.5'], /--top must be a whole number/],
    [['analyze', 'x.json', '--top=-3'], /--top must be a whole number/],
    [['analyze', 'x.json', '--jobs', '0'], /--jobs must be a whole number of at least 1, not "0"/],
    [['analyze', 'x.json', '--jobs=two'], /--jobs must be a whole number/],
    [['analyze', 'x.json', '--by', 'host'], /--by must be operation or service, not "host"/],
    [['analyze', 'x.json', '--format', 'csv'], /--format must be table, json, folded or speedscope, not "csv"/],
    [['analyze', 'x.json', '--window', 'all'], /--window must be root or full, not "all"/],
    [['analyze', 'x.json', '--async-blocking=yes'], /does not take an argument/],
    [['analyze', 'x.json', '--compare', '250'], /--compare takes a percentile \(p90\) or a duration/],
    [['analyze', 'x.json', '--what-if', 'checkout=-50%'], /--what-if: expected "SERVICE::OPERATION=-N%"/],
    [['analyze', 'x.json', '--attributes'], /--attributes needs --compare/],
    [['analyze', 'x.json', '--compare', 'p90', '--attributes', '--no-attributes'], /contradict/],
  ])('%p is a usage error', (argv, message) => {
    const text = usageError(argv);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });
});

describe('parseCompare', () => {
  it.each([
    ['p90', { percentile: 90 }],
    ['p99.9', { percentile: 99.9 }],
    ['P50', { percentile: 50 }],
    ['250ms', { thresholdUs: 250_000 }],
    ['1.5s', { thresholdUs: 1_500_000 }],
    ['800us', { thresholdUs: 800 }],
  ])('%s', (text, split) => {
    expect(parseCompare(text)).toEqual({ label: text, split });
  });

  it.each(['p0', 'p100', 'p', '90', 'fast'])('rejects %p', (text) => {
    expect(() => parseCompare(text)).toThrow(UsageError);
  });
});

describe('parseWhatIf', () => {
  it('splits the service at the first :: and the change at the last =', () => {
    expect(parseWhatIf('db::ns::Query(a=b)=-50%')).toEqual({
      service: 'db',
      operation: 'ns::Query(a=b)',
      reduction: 0.5,
    });
  });

  it('accepts fractions, spaces and a full removal', () => {
    expect(parseWhatIf(' web :: GET / = - 12.5 % ')).toEqual({ service: 'web', operation: 'GET /', reduction: 0.125 });
    expect(parseWhatIf('a::b=-100%').reduction).toBe(1);
  });

  it.each(['a::b', 'a::b=50%', 'a::b=+50%', 'a::b=-0%', 'a::b=-150%', '::b=-5%', 'a::=-5%', 'a:b=-5%', 'a::b=-5'])(
    'rejects %p',
    (text) => {
      expect(() => parseWhatIf(text)).toThrow(UsageError);
    }
  );
});
