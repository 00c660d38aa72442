/**
 * Test-only: Grafana's `/api/ds/query` answers for the Prometheus recording (test/fixtures/prometheus/), for the
 * `RecordedBackend` double: each query gets the recorded frames for it (prometheusFrames.ts `recordedFrames`: a
 * ranking question asking the recorded expression, or a row's follow-up exemplar question), anything else its own
 * per-query error, in Grafana's envelope (400 when one failed).
 */
import { EXEMPLAR_FOLLOW_UP_REF } from '../promql';
import { recordedFrames, type RecordedAnswer } from './prometheusFrames';
import { dsQueryReply, type RecordedRequest, type Reply, type ResultEntry } from './recordedBackend';

export function recordedPrometheusReply(answers: Record<string, RecordedAnswer>, request: RecordedRequest): Reply {
  return dsQueryReply(
    Object.fromEntries(
      request.body.queries.map((query): [string, ResultEntry] => {
        const frames = recordedFrames(answers, query);
        return [
          query.refId,
          frames
            ? { status: 200, frames }
            : { status: 400, error: `unexpected ${String(query.expr)}`, errorSource: 'downstream' },
        ];
      })
    )
  );
}

/** A request of the exemplar follow-up (src/data/promRanking.ts), not of the ranking itself. */
export const isExemplarFollowUp = (request: RecordedRequest) =>
  request.body.queries.every((q) => q.refId.startsWith(EXEMPLAR_FOLLOW_UP_REF));
