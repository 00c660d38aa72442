import { TraceBuilder } from '../model/builder';
import { OperationTable } from '../model/operations';
import { TraceInputError } from '../model/problems';
import { ParentLink } from '../model/trace';
import { SpanFacts } from './semantics';
import { isRecord, ParsedTraces } from './types';

/**
 * The trace frame Grafana's Jaeger data source returns (grafana/grafana-jaeger-datasource
 * `pkg/jaeger/utils/client_utils.go` TransformTraceResponse; golden file in
 * test/fixtures/jaeger/grafana-frames/): one row per span, `startTime`/`duration` in **float ms**, the parent
 * (first CHILD_OF) in `parentSpanID`, other references (FOLLOWS_FROM) left in `references`, kind and error
 * only inside `tags` — or, on the gRPC path, in `kind` and `statusCode` fields.
 *
 * Structural types only, so a `@grafana/data` DataFrame fits without importing Grafana here. Accepted shapes:
 * an in-memory frame (`fields[].values`), the wire format (`schema.fields` + `data.values`), `{frames:[…]}`,
 * an `/api/ds/query` response (`{results:{A:{frames:[…]}}}`) or an array of frames.
 */
export interface FrameLike {
  name?: string;
  fields: ReadonlyArray<{ name: string; values: ArrayLike<unknown> }>;
}

const REQUIRED = ['traceID', 'spanID', 'operationName', 'serviceName', 'startTime', 'duration'] as const;

/** True when `frame` has the columns of a Jaeger/Tempo trace frame. */
export function isTraceFrame(frame: FrameLike): boolean {
  const names = new Set(frame.fields.map((f) => f.name));
  return REQUIRED.every((name) => names.has(name));
}

export function readGrafanaFrames(input: unknown, operations: OperationTable, source?: string): ParsedTraces {
  const frames = framesOf(input);
  if (frames === null) {
    throw new TraceInputError(
      'expected a Grafana data frame ({fields:[…]} or {schema,data}), {frames:[…]} or an /api/ds/query response',
      { source }
    );
  }
  const result: ParsedTraces = { traces: [], problems: [] };
  frames.forEach((frame, index) => {
    if (!isTraceFrame(frame)) {
      const missing = REQUIRED.filter((name) => !frame.fields.some((f) => f.name === name));
      result.problems.push({
        source,
        path: `frames[${index}]`,
        message: `not a trace frame: missing field(s) ${missing.join(', ')}`,
      });
      return;
    }
    readTraceFrame(frame, operations, source, `frames[${index}]`, result);
  });
  return result;
}

/** Reads one trace frame (rows may belong to several traces) into `into`. */
export function readTraceFrame(
  frame: FrameLike,
  operations: OperationTable,
  source: string | undefined,
  path: string,
  into: ParsedTraces
): void {
  const column = (name: string): ArrayLike<unknown> | undefined => frame.fields.find((f) => f.name === name)?.values;
  const traceIds = column('traceID')!;
  const spanIds = column('spanID')!;
  const parentIds = column('parentSpanID');
  const opNames = column('operationName')!;
  const services = column('serviceName')!;
  const starts = column('startTime')!;
  const durations = column('duration')!;
  const references = column('references');
  const tags = column('tags');
  const kinds = column('kind');
  const statusCodes = column('statusCode');

  const builders = new Map<string, TraceBuilder>();
  const facts = new SpanFacts();
  for (let row = 0; row < traceIds.length; row++) {
    const traceId = cellText(traceIds[row]);
    let builder = builders.get(traceId);
    if (builder === undefined) {
      builder = new TraceBuilder(traceId, operations, source);
      builders.set(traceId, builder);
    }
    const spanId = spanIds[row];
    const rowPath = `${path} row ${row}`;
    if (typeof spanId !== 'string' || spanId === '') {
      builder.rejectSpan({ path: rowPath, message: 'spanID is missing' });
      continue;
    }
    const startMs = toNumber(starts[row]);
    const durationMs = toNumber(durations[row]);
    if (!Number.isFinite(startMs) || !Number.isFinite(durationMs)) {
      builder.rejectSpan({ spanId, path: rowPath, message: 'startTime or duration (ms) is not a number' });
      continue;
    }
    let parentId: string | null = null;
    let link: ParentLink.ChildOf | ParentLink.FollowsFrom = ParentLink.ChildOf;
    const parentValue = parentIds?.[row];
    if (typeof parentValue === 'string' && parentValue !== '') {
      parentId = parentValue;
    } else {
      const reference = parentFromReferences(decodeJson(references?.[row]), traceId);
      if (reference) {
        [parentId, link] = reference;
      }
    }
    facts.reset();
    const tagList = decodeJson(tags?.[row]);
    if (Array.isArray(tagList)) {
      for (const tag of tagList) {
        if (isRecord(tag) && typeof tag.key === 'string') {
          facts.observe(tag.key, tag.value);
        }
      }
    }
    if (kinds?.[row] !== undefined && kinds[row] !== null && kinds[row] !== '') {
      facts.observe('span.kind', kinds[row]);
    }
    if (statusCodes?.[row] === 2) {
      facts.isError = true;
    }
    builder.addSpan(
      spanId,
      parentId,
      link,
      cellText(services[row]),
      cellText(opNames[row]),
      // The data source divides Jaeger's integer µs by 1000; rounding recovers them exactly.
      Math.round(startMs * 1000),
      Math.round(durationMs * 1000),
      facts.kind,
      facts.isError
    );
  }
  for (const builder of builders.values()) {
    const model = builder.build();
    into.problems.push(...builder.problems);
    if (model) {
      into.traces.push(model);
    }
  }
}

export function framesOf(input: unknown): FrameLike[] | null {
  if (Array.isArray(input)) {
    const frames = input.map(asFrame);
    return frames.every((f): f is FrameLike => f !== null) ? frames : null;
  }
  if (!isRecord(input)) {
    return null;
  }
  if (Array.isArray(input.frames)) {
    return framesOf(input.frames);
  }
  if (isRecord(input.results)) {
    const all: FrameLike[] = [];
    for (const result of Object.values(input.results)) {
      if (isRecord(result) && Array.isArray(result.frames)) {
        const frames = framesOf(result.frames);
        if (frames === null) {
          return null;
        }
        all.push(...frames);
      }
    }
    return all;
  }
  const frame = asFrame(input);
  return frame ? [frame] : null;
}

/** An in-memory frame as is; a wire-format frame (`schema` + `data.values`) zipped into one. */
function asFrame(value: unknown): FrameLike | null {
  if (!isRecord(value)) {
    return null;
  }
  if (Array.isArray(value.fields) && value.fields.every((f) => isRecord(f) && typeof f.name === 'string')) {
    return value as unknown as FrameLike;
  }
  const schema = value.schema;
  const data = value.data;
  if (isRecord(schema) && Array.isArray(schema.fields) && isRecord(data) && Array.isArray(data.values)) {
    const values = data.values;
    const fields = schema.fields.map((f, i) => ({
      name: isRecord(f) && typeof f.name === 'string' ? f.name : `field${i}`,
      values: Array.isArray(values[i]) ? (values[i] as unknown[]) : [],
    }));
    return { name: typeof schema.name === 'string' ? schema.name : undefined, fields };
  }
  return null;
}

/**
 * A cell as text: strings as they are, numbers and booleans written out, anything else (null, objects, arrays) empty.
 * Never `String(x)` of an object or array: an array's toString recurses through its nesting, and input can nest
 * thousands deep.
 */
export function cellText(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
}

/** `other` fields arrive parsed from the wire, but may be JSON text when a frame was built by hand. */
export function decodeJson(value: unknown): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** A span without `parentSpanID` may still hang under a FOLLOWS_FROM (or an unmoved CHILD_OF) reference. */
function parentFromReferences(
  references: unknown,
  traceId: string
): [string, ParentLink.ChildOf | ParentLink.FollowsFrom] | null {
  if (!Array.isArray(references)) {
    return null;
  }
  let followsFrom: string | null = null;
  for (const ref of references) {
    if (!isRecord(ref) || typeof ref.spanID !== 'string' || (ref.traceID !== undefined && ref.traceID !== traceId)) {
      continue;
    }
    if (ref.refType === 'CHILD_OF') {
      return [ref.spanID, ParentLink.ChildOf];
    }
    followsFrom ??= ref.spanID;
  }
  return followsFrom === null ? null : [followsFrom, ParentLink.FollowsFrom];
}
