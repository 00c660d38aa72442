import { TraceBuilder } from '../model/builder';
import { OperationTable } from '../model/operations';
import { InputProblem, TraceInputError } from '../model/problems';
import { ParentLink, TraceModel } from '../model/trace';
import { SpanFacts } from './semantics';
import { isRecord, ParsedTraces } from './types';

/**
 * Jaeger query API JSON (jaegertracing/jaeger `model/json/model.go`, as served by `/api/traces` and
 * `/api/traces/{id}`): `{"data":[trace…]}`, a bare trace object, or an array of traces. Times are µs.
 *
 * Parent rule: the first CHILD_OF reference into this trace; failing that, the first FOLLOWS_FROM (a
 * non-blocking parent). References into other traces are links, not parents. A legacy `parentSpanID`
 * field is honoured when a span has no references.
 */
export function readJaeger(input: unknown, operations: OperationTable, source?: string): ParsedTraces {
  let traces: unknown[];
  let basePath: string;
  if (Array.isArray(input)) {
    traces = input;
    basePath = '';
  } else if (isRecord(input) && Array.isArray(input.data)) {
    traces = input.data;
    basePath = 'data';
  } else if (isRecord(input) && Array.isArray(input.spans)) {
    traces = [input];
    basePath = '';
  } else {
    throw new TraceInputError('expected Jaeger JSON: {"data":[trace…]} or a trace {"traceID","spans","processes"}', {
      source,
    });
  }
  const result: ParsedTraces = { traces: [], problems: [] };
  const facts = new SpanFacts();
  for (let t = 0; t < traces.length; t++) {
    const tracePath = basePath ? `${basePath}[${t}]` : Array.isArray(input) ? `[${t}]` : '';
    const built = readOneTrace(traces[t], tracePath, operations, facts, source, result.problems);
    if (built) {
      result.traces.push(built);
    }
  }
  return result;
}

function readOneTrace(
  trace: unknown,
  path: string,
  operations: OperationTable,
  facts: SpanFacts,
  source: string | undefined,
  problems: InputProblem[]
): TraceModel | null {
  if (!isRecord(trace) || !Array.isArray(trace.spans)) {
    problems.push({ source, path, message: 'expected a trace object with a "spans" array' });
    return null;
  }
  const spans = trace.spans;
  const firstSpan: unknown = spans[0];
  const traceId =
    typeof trace.traceID === 'string'
      ? trace.traceID
      : isRecord(firstSpan) && typeof firstSpan.traceID === 'string'
        ? firstSpan.traceID
        : `(no trace ID: ${path || 'trace'})`;
  const processes = isRecord(trace.processes) ? trace.processes : {};
  const builder = new TraceBuilder(traceId, operations, source);
  const spansPath = `${path}${path ? '.' : ''}spans`;
  for (let i = 0; i < spans.length; i++) {
    const span: unknown = spans[i];
    if (!isRecord(span)) {
      builder.rejectSpan({ path: `${spansPath}[${i}]`, message: 'a span must be an object' });
      continue;
    }
    const spanId = span.spanID;
    if (typeof spanId !== 'string' || spanId === '') {
      builder.rejectSpan({ path: `${spansPath}[${i}].spanID`, message: 'spanID is missing' });
      continue;
    }
    const start = span.startTime;
    const duration = span.duration;
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      builder.rejectSpan({ spanId, path: `${spansPath}[${i}].startTime`, message: 'startTime (µs) is not a number' });
      continue;
    }
    if (typeof duration !== 'number' || !Number.isFinite(duration)) {
      builder.rejectSpan({ spanId, path: `${spansPath}[${i}].duration`, message: 'duration (µs) is not a number' });
      continue;
    }
    let parentId: string | null = null;
    let link: ParentLink.ChildOf | ParentLink.FollowsFrom = ParentLink.ChildOf;
    const refs = span.references;
    if (Array.isArray(refs) && refs.length > 0) {
      let followsFrom: string | null = null;
      for (const ref of refs) {
        if (!isRecord(ref) || typeof ref.spanID !== 'string') {
          continue;
        }
        if (typeof ref.traceID === 'string' && ref.traceID !== traceId && ref.traceID !== '') {
          continue;
        }
        if (ref.refType === 'FOLLOWS_FROM') {
          followsFrom ??= ref.spanID;
        } else {
          parentId = ref.spanID;
          break;
        }
      }
      if (parentId === null && followsFrom !== null) {
        parentId = followsFrom;
        link = ParentLink.FollowsFrom;
      }
    } else if (typeof span.parentSpanID === 'string' && span.parentSpanID !== '') {
      parentId = span.parentSpanID;
    }
    const service = serviceOf(span, processes);
    facts.reset();
    const tags = span.tags;
    if (Array.isArray(tags)) {
      for (const tag of tags) {
        if (isRecord(tag) && typeof tag.key === 'string') {
          facts.observe(tag.key, tag.value);
        }
      }
    }
    const operation = typeof span.operationName === 'string' ? span.operationName : '';
    builder.addSpan(spanId, parentId, link, service, operation, start, duration, facts.kind, facts.isError);
  }
  const model = builder.build();
  problems.push(...builder.problems);
  return model;
}

function serviceOf(span: Record<string, unknown>, processes: Record<string, unknown>): string {
  const inline = span.process;
  const process = isRecord(inline)
    ? inline
    : typeof span.processID === 'string'
      ? processes[span.processID]
      : undefined;
  if (isRecord(process) && typeof process.serviceName === 'string') {
    return process.serviceName;
  }
  return `(unknown service: process ${String(span.processID)})`;
}
