import type { AttributeRecorder, AttributeSink } from '../aggregate/attributes';
import { detectFormat } from './detect';
import { cellText, decodeJson, FrameLike, framesOf, isTraceFrame } from './grafanaFrame';
import { anyValue, normalizeId, serviceName } from './otlp';
import { isRecord } from './types';

/**
 * Feeds the attributes of every trace in parsed Jaeger, OTLP or Grafana trace-frame JSON to `collector`, keyed by
 * service: span tags and process tags (Jaeger; a frame's `tags` and `serviceTags`), span and resource attributes
 * (OTLP). Separate from the readers on purpose: the
 * analysis needs tags only when attributes are compared, and the fast Jaeger byte reader skips them unread.
 * Trace IDs are found as the readers find them, so sets match the analysed traces. Anything not understood is
 * ignored: the readers report problems; this only collects.
 */
export function collectAttributes(input: unknown, collector: AttributeSink): void {
  if (detectFormat(input) === 'grafana-frame') {
    for (const frame of framesOf(input) ?? []) {
      collectFrameAttributes(frame, collector);
    }
    return;
  }
  if (Array.isArray(input)) {
    // JSON lines or an array of traces: each item on its own.
    for (const item of input) {
      collectDocument(item, collector);
    }
    return;
  }
  collectDocument(input, collector);
}

/**
 * `collectAttributes` over JSON text or JSON lines (lines that are not JSON are skipped): for callers that hand the
 * readers text or bytes, which parse it without keeping the tags. Bad input is left to the readers to report.
 */
export function collectAttributesFromText(text: string, collector: AttributeSink): void {
  let documents: unknown;
  try {
    documents = JSON.parse(text);
  } catch {
    const lines: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      try {
        lines.push(JSON.parse(line));
      } catch {
        // not JSON: the readers report it
      }
    }
    documents = lines;
  }
  collectAttributes(documents, collector);
}

/**
 * `collectAttributesFromText` into `recorder`, which must hold nothing but this text's attributes (a fast read that
 * gives up is discarded). Jaeger's `{"data":[trace, …]}` is parsed one trace at a time: the same results, but each
 * trace's objects are garbage as soon as its attributes are taken, instead of the whole file's tree at once (that
 * tree was most of the peak memory and the collection time of `--attributes`).
 */
export function recordAttributesFromText(text: string, recorder: AttributeRecorder): void {
  if (!collectJaegerTracesOneByOne(text, recorder)) {
    recorder.take();
    collectAttributesFromText(text, recorder);
  }
}

/** Stands for the `data` array in the rest of the document; input that contains it is read the ordinary way. */
const DATA_SENTINEL = 'hotpath: the data array';

/**
 * The Jaeger `data` array's traces parsed one by one, when that gives what parsing the whole text would: the text
 * without the array (the sentinel in its place) and each item parse, so the whole text does (the separators are
 * commas, checked); the array is the `data` that JSON.parse keeps (the sentinel is found there); nothing makes the
 * document OTLP. False otherwise — then the sink may hold part of the traces and must be discarded.
 */
function collectJaegerTracesOneByOne(text: string, sink: AttributeSink): boolean {
  if (text.includes(DATA_SENTINEL)) {
    return false;
  }
  const items = dataArrayItems(text);
  if (items === null) {
    return false;
  }
  const [open, close] = [items[0], items[items.length - 1]];
  let rest: unknown;
  try {
    rest = JSON.parse(`${text.slice(0, open)}${JSON.stringify(DATA_SENTINEL)}${text.slice(close + 1)}`);
  } catch {
    return false;
  }
  if (
    !isRecord(rest) ||
    rest.data !== DATA_SENTINEL ||
    Array.isArray(rest.resourceSpans) ||
    Array.isArray(rest.batches)
  ) {
    return false;
  }
  if (items.length === 2 && text.slice(open + 1, close).trim() === '') {
    return true; // []
  }
  for (let k = 0; k + 1 < items.length; k++) {
    let trace: unknown;
    try {
      trace = JSON.parse(text.slice(items[k] + 1, items[k + 1]));
    } catch {
      return false;
    }
    collectJaegerTrace(trace, sink);
  }
  return true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * The positions of `[`, of each separating comma and of `]` of the value of the first member named `data` (without
 * escapes) of the top-level object, if that value is an array; null otherwise. Strings are skipped whole, so only
 * structure counts; whether the JSON is valid is left to JSON.parse.
 */
function dataArrayItems(text: string): number[] | null {
  let pos = skipWhiteSpace(text, 0);
  if (text.charCodeAt(pos) !== 0x7b) {
    return null;
  }
  let depth = 0;
  let array = -1; // the depth inside the data array, once found
  const positions: number[] = [];
  for (; pos < text.length; pos++) {
    const c = text.charCodeAt(pos);
    if (c === QUOTE) {
      const end = stringEnd(text, pos);
      if (end < 0) {
        return null;
      }
      if (array < 0 && depth === 1 && end - pos === 6 && text.startsWith('data', pos + 1)) {
        const colon = skipWhiteSpace(text, end);
        const value = skipWhiteSpace(text, colon + 1);
        if (text.charCodeAt(colon) === COLON) {
          if (text.charCodeAt(value) !== 0x5b) {
            return null;
          }
          positions.push(value);
          depth++;
          array = depth;
          pos = value;
          continue;
        }
      }
      pos = end - 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === array) {
        if (c !== 0x5d) {
          return null; // `[…}`: not JSON
        }
        positions.push(pos);
        return positions;
      }
      depth--;
    } else if (c === COMMA && depth === array) {
      positions.push(pos);
    }
  }
  return null;
}

/** The position after the string whose opening quote is at `quote`, or -1 if it does not end. */
function stringEnd(text: string, quote: number): number {
  let pos = quote + 1;
  for (;;) {
    const next = text.indexOf('"', pos);
    if (next < 0) {
      return -1;
    }
    let backslashes = 0;
    while (text.charCodeAt(next - 1 - backslashes) === BACKSLASH) {
      backslashes++;
    }
    if (backslashes % 2 === 0) {
      return next + 1;
    }
    pos = next + 1;
  }
}

/** JSON's white space: space, tab, line feed, carriage return. */
function skipWhiteSpace(text: string, at: number): number {
  let pos = at;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      return pos;
    }
    pos++;
  }
}

function collectDocument(document: unknown, collector: AttributeSink): void {
  if (!isRecord(document)) {
    return;
  }
  const resources = document.resourceSpans ?? document.batches;
  if (Array.isArray(resources)) {
    collectOtlp(resources, collector);
  } else if (Array.isArray(document.data)) {
    for (const trace of document.data) {
      collectJaegerTrace(trace, collector);
    }
  } else {
    collectJaegerTrace(document, collector);
  }
}

function collectJaegerTrace(trace: unknown, collector: AttributeSink): void {
  if (!isRecord(trace) || !Array.isArray(trace.spans)) {
    return;
  }
  const firstSpan: unknown = trace.spans[0];
  const traceId =
    typeof trace.traceID === 'string' ? trace.traceID : isRecord(firstSpan) ? firstSpan.traceID : undefined;
  if (typeof traceId !== 'string') {
    return;
  }
  const processes = isRecord(trace.processes) ? trace.processes : {};
  const processesUsed = new Set<unknown>();
  collector.startTrace(traceId);
  for (const span of trace.spans) {
    if (!isRecord(span)) {
      continue;
    }
    const process = isRecord(span.process)
      ? span.process
      : typeof span.processID === 'string' && Object.prototype.hasOwnProperty.call(processes, span.processID)
        ? processes[span.processID]
        : undefined;
    if (!isRecord(process) || typeof process.serviceName !== 'string') {
      continue;
    }
    addJaegerTags(collector, process.serviceName, span.tags);
    if (!processesUsed.has(process)) {
      processesUsed.add(process);
      addJaegerTags(collector, process.serviceName, process.tags);
    }
  }
  collector.endTrace();
}

function addJaegerTags(collector: AttributeSink, service: string, tags: unknown): void {
  if (!Array.isArray(tags)) {
    return;
  }
  for (const tag of tags) {
    if (isRecord(tag) && typeof tag.key === 'string') {
      collector.add(service, tag.key, tag.value);
    }
  }
}

type Attribute = [key: string, value: unknown];

/** OTLP groups spans by resource, not by trace: gather each trace's attributes, then feed them trace by trace. */
function collectOtlp(resources: unknown[], collector: AttributeSink): void {
  const byTrace = new Map<string, Array<{ service: string; attributes: Attribute[] }>>();
  for (const resourceSpans of resources) {
    if (!isRecord(resourceSpans)) {
      continue;
    }
    const service = serviceName(resourceSpans.resource);
    const resourceAttributes = isRecord(resourceSpans.resource)
      ? otlpAttributes(resourceSpans.resource.attributes)
      : [];
    const scopes = resourceSpans.scopeSpans ?? resourceSpans.instrumentationLibrarySpans;
    if (!Array.isArray(scopes)) {
      continue;
    }
    const resourceAddedTo = new Set<string>();
    for (const scope of scopes) {
      const spans = isRecord(scope) ? scope.spans : undefined;
      if (!Array.isArray(spans)) {
        continue;
      }
      for (const span of spans) {
        const traceId = isRecord(span) ? normalizeId(span.traceId) : null;
        if (!isRecord(span) || traceId === null) {
          continue;
        }
        let entries = byTrace.get(traceId);
        if (entries === undefined) {
          entries = [];
          byTrace.set(traceId, entries);
        }
        entries.push({ service, attributes: otlpAttributes(span.attributes) });
        if (!resourceAddedTo.has(traceId)) {
          resourceAddedTo.add(traceId);
          entries.push({ service, attributes: resourceAttributes });
        }
      }
    }
  }
  for (const [traceId, entries] of byTrace) {
    collector.startTrace(traceId);
    for (const { service, attributes } of entries) {
      for (const [key, value] of attributes) {
        collector.add(service, key, value);
      }
    }
    collector.endTrace();
  }
}

function otlpAttributes(attributes: unknown): Attribute[] {
  if (!Array.isArray(attributes)) {
    return [];
  }
  const pairs: Attribute[] = [];
  for (const attribute of attributes) {
    if (isRecord(attribute) && typeof attribute.key === 'string') {
      pairs.push([attribute.key, anyValue(attribute.value)]);
    }
  }
  return pairs;
}

/**
 * The attributes of a Grafana trace frame (one row per span, rows of several traces mixed): `tags` per span, and
 * `serviceTags` — the process tags — once per service of each trace. The panel reads frames like this one.
 */
export function collectFrameAttributes(frame: FrameLike, collector: AttributeSink): void {
  if (!isTraceFrame(frame)) {
    return;
  }
  const column = (name: string) => frame.fields.find((f) => f.name === name)?.values;
  const traceIds = column('traceID');
  const services = column('serviceName');
  const tags = column('tags');
  const serviceTags = column('serviceTags');
  if (traceIds === undefined || services === undefined) {
    return;
  }
  const rowsByTrace = new Map<string, number[]>();
  for (let row = 0; row < traceIds.length; row++) {
    const traceId = cellText(traceIds[row]);
    const rows = rowsByTrace.get(traceId);
    if (rows === undefined) {
      rowsByTrace.set(traceId, [row]);
    } else {
      rows.push(row);
    }
  }
  for (const [traceId, rows] of rowsByTrace) {
    collector.startTrace(traceId);
    const servicesDone = new Set<string>();
    for (const row of rows) {
      const service = cellText(services[row]);
      addJaegerTags(collector, service, decodeJson(tags?.[row]));
      if (!servicesDone.has(service)) {
        servicesDone.add(service);
        addJaegerTags(collector, service, decodeJson(serviceTags?.[row]));
      }
    }
    collector.endTrace();
  }
}
