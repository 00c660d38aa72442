import { parseCommandLine, UsageError } from './args';
import { DEFAULT_LIMIT, DEFAULT_TIMEOUT_MS } from './jaegerOptions';

const jaeger = (...args: string[]) => {
  const command = parseCommandLine(['analyze', '--jaeger', 'http://localhost:16686', ...args]);
  return command.command === 'analyze' ? command.jaeger : undefined;
};

describe('hotpath analyze --jaeger: options', () => {
  it('defaults: the last hour, 1000 traces, a 30 s stall timeout; the URL without its trailing slash', () => {
    expect(parseCommandLine(['analyze', '--jaeger', 'https://jaeger.example/base/', '--service', 'web'])).toMatchObject(
      {
        inputs: [],
        jaeger: {
          baseUrl: 'https://jaeger.example/base',
          service: 'web',
          tags: [],
          time: { lookback: '1h', lookbackUs: 3_600_000_000 },
          limit: DEFAULT_LIMIT,
          timeoutMs: DEFAULT_TIMEOUT_MS,
        },
      }
    );
  });

  it('reads every option', () => {
    expect(
      jaeger(
        '--service=web',
        '--operation=GET /',
        '--tags=a=1',
        '--tags',
        'b==2',
        '--start=2025-06-01T10:00:00Z',
        '--end=2025-06-01T13:00:00.5+02:00',
        '--limit=5',
        '--min-duration=0.5ms',
        '--max-duration=1.5s',
        '--timeout=2s'
      )
    ).toEqual({
      baseUrl: 'http://localhost:16686',
      service: 'web',
      operation: 'GET /',
      tags: [
        ['a', '1'],
        ['b', '=2'],
      ],
      time: { startUs: 1748772000000000, endUs: 1748775600500000 },
      limit: 5,
      minDuration: '500us',
      maxDuration: '1500000us',
      timeoutMs: 2000,
    });
    expect(jaeger('--service=web', '--lookback', '2d')?.time).toEqual({ lookback: '2d', lookbackUs: 172_800_000_000 });
    expect(jaeger('--service=web', '--start', '1748772000000000')?.time).toEqual({ startUs: 1748772000000000 });
  });

  it.each([
    [['--jaeger', 'localhost:16686', '--service', 'w'], '--jaeger must be an http:// or https:// URL'],
    [['--jaeger', 'ftp://host', '--service', 'w'], '--jaeger must be an http:// or https:// URL'],
    [['--jaeger', 'file:///etc/passwd', '--service', 'w'], '--jaeger must be an http:// or https:// URL'],
    [['--jaeger', 'http://user:secret@host', '--service', 'w'], 'must not carry a user name or password'],
    [['--jaeger', 'http://host/?service=x', '--service', 'w'], 'without a query or fragment'],
    [['--jaeger', 'http://host', 'traces.json', '--service', 'w'], 'give no files besides it (got "traces.json")'],
    [['--jaeger', 'http://host'], '--jaeger needs --service'],
    [['traces.json', '--service', 'w'], '--service searches Jaeger: it needs --jaeger URL'],
    [['traces.json', '--lookback', '1h'], '--lookback searches Jaeger: it needs --jaeger URL'],
    [['--jaeger', 'http://host', '--service', ''], '--service must not be empty'],
    [['--jaeger', 'http://host', '--service', 'a\u001b[2Jb'], '--service must not contain control characters'],
    [['--jaeger', 'http://host', '--service', 'x'.repeat(1001)], '--service is longer than 1000 characters'],
    [['--jaeger', 'http://host', '--service', 'w', '--tags', 'novalue'], '--tags takes key=value'],
    [['--jaeger', 'http://host', '--service', 'w', '--tags', '=v'], '--tags takes key=value'],
    [['--jaeger', 'http://host', '--service', 'w', '--tags', 'k='], '--tags takes key=value'],
    [['--jaeger', 'http://host', '--service', 'w', '--tags', 'k=1', '--tags', 'k=2'], '"k" is given twice'],
    [['--jaeger', 'http://host', '--service', 'w', '--tags', 'k=a\nb'], '--tags must not contain control characters'],
    [['--jaeger', 'http://host', '--service', 'w', '--lookback', '1'], '--lookback takes a duration'],
    [['--jaeger', 'http://host', '--service', 'w', '--lookback', '500ms'], '--lookback takes a duration'],
    [['--jaeger', 'http://host', '--service', 'w', '--lookback', '1h', '--start', '2025-06-01'], 'one or the other'],
    [['--jaeger', 'http://host', '--service', 'w', '--end', '2025-06-01'], '--end needs --start'],
    [['--jaeger', 'http://host', '--service', 'w', '--start', 'yesterday'], '--start takes an ISO 8601 time'],
    [['--jaeger', 'http://host', '--service', 'w', '--start', '1748772000000'], '--start takes an ISO 8601 time'],
    [['--jaeger', 'http://host', '--service', 'w', '--start', '2025-06-01', '--end', '2025-05-31'], 'later than'],
    [['--jaeger', 'http://host', '--service', 'w', '--limit', '0'], '--limit must be a whole number from 1'],
    [['--jaeger', 'http://host', '--service', 'w', '--limit', '1000001'], '--limit must be a whole number from 1'],
    [['--jaeger', 'http://host', '--service', 'w', '--min-duration', 'slow'], '--min-duration takes a duration'],
    [['--jaeger', 'http://host', '--service', 'w', '--min-duration', '2s', '--max-duration', '1s'], 'not be shorter'],
    [['--jaeger', 'http://host', '--service', 'w', '--timeout', '0s'], '--timeout takes a duration of at least 1ms'],
  ])('refuses %j', (args, message) => {
    const call = () => parseCommandLine(['analyze', ...args]);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });

  it('still asks for an input when neither files nor --jaeger are given', () => {
    expect(() => parseCommandLine(['analyze'])).toThrow('give a file, a directory, - for stdin, or --jaeger URL');
  });
});
