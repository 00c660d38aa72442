import { dateTime, LoadingState, type PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { render, screen } from '@testing-library/react';
import React, { type ComponentType, type ReactElement } from 'react';

import { installBrowserStubs } from '../../components/testing/browser';
import { installDataSources } from '../../components/testing/dataSources';
import { stateFromFixtures } from '../../components/testing/states';
import { testIds } from '../../components/testIds';
import { parseLogQl } from '../../data/testing/logqlSyntax';
import type { TraceLinkSources } from '../../data';
import type { HotspotState, TraceLinks } from '../../data/types';
import { HotspotsPanel } from './HotspotsPanel';
import type { HotspotsOptions } from './types';

/**
 * The Explore links as the DOM ends up with them, read back the way Explore reads its URL (URLSearchParams, then
 * JSON.parse of `panes`), on two runtimes: @grafana/ui as installed (12.4), and @grafana/ui ≥ 13.1.3, whose
 * LinkButton — like TextLink and Link — passes its href through `textUtil.sanitizeUrl`, which with
 * @braintree/sanitize-url ≥ 7.1 runs `decodeURIComponent` over the whole URL (at least twice). Names holding
 * `&`, `#`, `+`, `%`, quotes or line breaks must open the same Explore state on both.
 */
let mockDecodingLinks = false;
jest.mock('@grafana/ui', () => {
  const actual = jest.requireActual<typeof import('@grafana/ui')>('@grafana/ui');
  const { createElement, forwardRef } = jest.requireActual<typeof import('react')>('react');
  const decodeLikeSanitizeUrl = (href: string) => {
    let out = href;
    for (let i = 0; i < 2; i++) {
      try {
        out = decodeURIComponent(out);
      } catch {
        // sanitize-url keeps the text when it does not decode.
      }
    }
    return out;
  };
  type LinkProps = { href?: string; [prop: string]: unknown };
  const sanitizing = (Component: unknown) =>
    forwardRef<unknown, LinkProps>((props, ref) => {
      const href = props.href as string | undefined;
      return createElement(Component as ComponentType<LinkProps>, {
        ...props,
        ref,
        href: mockDecodingLinks && href ? decodeLikeSanitizeUrl(href) : href,
      });
    });
  return {
    ...actual,
    LinkButton: sanitizing(actual.LinkButton),
    TextLink: sanitizing(actual.TextLink),
    Link: sanitizing(actual.Link),
  };
});

let mockState: HotspotState;
// The real link builders (createTraceLinks); only the Loki count is answered here, without a request.
jest.mock('../../data', () => {
  const actual = jest.requireActual<typeof import('../../data')>('../../data');
  return {
    ...actual,
    useHotspotAnalysis: () => mockState,
    createTraceLinks: (sources: TraceLinkSources): TraceLinks => ({
      ...actual.createTraceLinks(sources),
      countLogs: (_target, onCount) => {
        onCount({ state: 'counted', lines: 5 });
        return () => undefined;
      },
    }),
  };
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const HOSTILE_SERVICE = 'product&page#1+x%y %2F%25 "q"\\ ü\n&orgId=2';

/** One trace of one span, its service and operation named as an attacker likes. */
function hostileState(): HotspotState {
  const trace = {
    traceID: TRACE_ID,
    spans: [
      {
        traceID: TRACE_ID,
        spanID: '00f067aa0ba902b7',
        operationName: 'GET /p?a=1&b=%20#frag+',
        references: [],
        startTime: 1_700_000_000_000_000,
        duration: 250_000,
        processID: 'p1',
        tags: [],
      },
    ],
    processes: { p1: { serviceName: HOSTILE_SERVICE, tags: [] } },
  };
  return stateFromFixtures([], { texts: [{ name: 'hostile.json', text: JSON.stringify({ data: [trace] }) }] });
}

function renderPanel(): ReactElement {
  const range = { from: dateTime(1_699_999_000_000), to: dateTime(1_700_001_000_000) };
  const props = {
    id: 1,
    data: {
      series: [],
      state: LoadingState.Done,
      timeRange: { ...range, raw: range },
      request: { targets: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' } }] },
    },
    timeRange: { ...range, raw: range },
    options: { lokiUid: 'loki' },
    onOptionsChange: jest.fn(),
    replaceVariables: (s: string) => s,
  } as unknown as PanelProps<HotspotsOptions>;
  return <HotspotsPanel {...props} />;
}

/** Explore's reading of a link: the path, `orgId`, and the `panes` JSON (useStateSync/migrators/v1.ts). */
function readAsExplore(href: string) {
  const url = new URL(href, 'http://grafana.local');
  return {
    path: url.pathname,
    orgId: url.searchParams.get('orgId'),
    panes: JSON.parse(url.searchParams.get('panes') ?? 'null') as unknown,
  };
}

let saved: { appSubUrl: string; orgId: number };
beforeEach(() => {
  installDataSources();
  installBrowserStubs();
  mockState = hostileState();
  const user = config.bootData.user as { orgId: number };
  saved = { appSubUrl: config.appSubUrl, orgId: user.orgId };
  config.appSubUrl = '/grafana';
  user.orgId = 1;
});
afterEach(() => {
  config.appSubUrl = saved.appSubUrl;
  (config.bootData.user as { orgId: number }).orgId = saved.orgId;
});

describe.each([
  ['@grafana/ui as installed (12.4)', false],
  ['@grafana/ui ≥ 13.1.3 (link components decode their href)', true],
])('Explore links with hostile names, %s', (_, decoding) => {
  beforeEach(() => {
    mockDecodingLinks = decoding;
  });

  it('open exactly the trace and the logs they were built for', () => {
    render(renderPanel());
    const window = mockState.traceWindows!.get(TRACE_ID)!;

    const trace = readAsExplore(screen.getByTestId(testIds.view.openTrace).getAttribute('href')!);
    expect(trace).toEqual({
      path: '/grafana/explore',
      orgId: '1',
      panes: {
        hpt: {
          datasource: 'jaeger',
          queries: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, query: TRACE_ID }],
          range: { from: String(window.from), to: String(window.to) },
        },
      },
    });

    const logs = readAsExplore(screen.getByTestId(testIds.view.logs).getAttribute('href')!);
    const expr = (logs.panes as { hpl: { queries: Array<{ expr: string }> } }).hpl.queries[0].expr;
    expect(logs).toEqual({
      path: '/grafana/explore',
      orgId: '1',
      panes: {
        hpl: {
          datasource: 'loki',
          queries: [{ refId: 'A', datasource: { type: 'loki', uid: 'loki' }, expr, queryType: 'range' }],
          range: { from: String(window.from - 60_000), to: String(window.to + 60_000) },
        },
      },
    });
    // The query selects this service's lines for this trace, the name read back exactly.
    expect(parseLogQl(expr)).toEqual({
      errors: [],
      clauses: [
        { kind: 'matcher', name: 'service_name', op: '=', value: HOSTILE_SERVICE },
        { kind: 'label', name: 'trace_id', op: '=', value: TRACE_ID },
      ],
    });
  });
});
