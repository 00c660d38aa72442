import { fireEvent, screen, waitFor } from '@testing-library/react';

import { installBrowserStubs } from '../components/testing/browser';
import { installDataSources } from '../components/testing/dataSources';
import { testIds } from '../components/testIds';
import { RANKING_REFS } from '../data/promql';
import { isExemplarFollowUp, recordedPrometheusReply } from '../data/testing/prometheusBackend';
import { readPrometheusRecording } from '../data/testing/prometheusFrames';
import { RecordedBackend, type RecordedRequest } from '../data/testing/recordedBackend';
import { APP_SETTINGS, renderApp, urlParams } from './testing';

/** The Hotspots page switched to "Every trace": the real data layer, Grafana's answers recorded from Prometheus. */
const recording = readPrometheusRecording();
const PATH =
  `/a/hotpath-latency-app/hotspots?source=prometheus&from=${recording.range.from}&to=${recording.range.to}` +
  '&operation=GET&orgId=1';
let backend: RecordedBackend;
const lokiExprs = () =>
  backend.requests.filter((r) => r.url === '/api/ds/query?ds_type=loki').map((r) => String(r.body.queries[0].expr));
/** The ranking's own requests to Prometheus (not the exemplar follow-up after each). */
const rankingRequests = (): RecordedRequest[] =>
  backend.requests.filter((r) => r.url === '/api/ds/query?ds_type=prometheus' && !isExemplarFollowUp(r));
const HOSTILE_LOGQL =
  'sum(count_over_time({service_name="evil\\"} or vector(1) #\\\\\\nsvc"} | trace_id="feedfacefeedfacefeedfacefeedface" [124903ms]))';

beforeEach(() => {
  installDataSources();
  installBrowserStubs();
  backend = new RecordedBackend((request) => recordedPrometheusReply(recording.answers, request)).install();
});
afterEach(() => expect(backend.violations).toEqual([]));

describe('Hotspots page, every trace (Prometheus)', () => {
  it('ranks from the app’s Prometheus with only the controls that apply, and switches back to the sample', async () => {
    renderApp(PATH);
    const table = await screen.findByTestId(testIds.view.table);
    expect(table.querySelector('tbody tr')).toHaveTextContent('redis.slow_down');
    // The Jaeger search's fields, trace limit and analysis options do not apply to the metrics.
    expect(screen.queryByLabelText('Operation')).toBeNull();
    expect(screen.queryByLabelText('Tags')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Run search' })).toBeNull();
    expect(screen.queryByLabelText('Window')).toBeNull();
    const prometheus = rankingRequests();
    expect(prometheus).toHaveLength(1);
    expect(prometheus[0].body.queries.every((q) => q.datasource.uid === APP_SETTINGS.prometheusUid)).toBe(true);
    // The exemplar traces' log counts go to Loki with the existing link builders: the hostile service from the
    // metrics is one escaped LogQL string there.
    await waitFor(() => expect(lokiExprs()).toContain(HOSTILE_LOGQL));

    fireEvent.click(screen.getByLabelText('Sample (Jaeger search)'));
    await waitFor(() => expect(urlParams().source).toBeUndefined());
    // What the sample owns survived the round trip through the other source.
    expect(urlParams()).toMatchObject({ operation: 'GET', orgId: '1' });
    expect(await screen.findByLabelText('Operation')).toHaveValue('GET');
  });

  it('filters on a service typed in, after Run, and keeps it in the URL', async () => {
    renderApp(PATH);
    await screen.findByTestId(testIds.view.table);
    fireEvent.change(screen.getByLabelText(/^Service/), { target: { value: 'backend' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(rankingRequests()).toHaveLength(2));
    const cp = rankingRequests()[1].body.queries.find((q) => q.refId === RANKING_REFS.criticalPath);
    expect(cp?.expr).toContain('{service="backend"}');
    expect(urlParams()).toMatchObject({ source: 'prometheus', service: 'backend' });
  });

  it('asks for a Prometheus data source when the app has none', async () => {
    renderApp(PATH, { ...APP_SETTINGS, prometheusUid: undefined });
    expect(await screen.findByTestId(testIds.view.idle)).toHaveTextContent('Choose a Prometheus data source');
    expect(backend.requests).toHaveLength(0);
  });
});
