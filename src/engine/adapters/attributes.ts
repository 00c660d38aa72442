import type { AttributeRecorder, AttributeSink } from '../aggregate/attributes';
import { detectFormat } from './detect';
import {
  asciiBytes,
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isWhiteSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './jsonScanner';
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
 * `collectAttributesFromText` over UTF-8 `bytes` (without a byte-order mark) into `recorder`, which must hold
 * nothing but their attributes (a fast read that gives up is discarded). Jaeger's `{"data":[trace, …]}` is
 * decoded and parsed one trace at a time: the same results, but each trace's objects are garbage as soon as its
 * attributes are taken, instead of the whole input's tree at once (that tree was most of the peak memory and of
 * the collection time of the attribute analysis).
 */
export function recordAttributesFromBytes(bytes: Uint8Array, recorder: AttributeRecorder): void {
  if (collectJaegerTracesOneByOne(bytes, recorder)) {
    return;
  }
  recorder.take();
  let text: string;
  try {
    text = new TextDecoder().decode(bytes);
  } catch {
    return; // too large to decode at once: the readers say so
  }
  collectAttributesFromText(text, recorder);
}

/** Stands for the `data` array in the rest of the document (a check: `dataArrayItems` makes sure it is alone). */
const DATA_SENTINEL = 'hotpath: the data array';

/**
 * The Jaeger `data` array's traces parsed one by one, when that gives what parsing the whole text would: the text
 * without the array (the sentinel in its place) and each item parse, so the whole text does (the separators are
 * commas, and pieces are cut at ASCII bytes outside strings, so decoding them apart decodes alike); the array is
 * the only top-level `data` member; nothing makes the document OTLP. False otherwise — then the sink may hold part
 * of the traces and must be discarded.
 */
function collectJaegerTracesOneByOne(bytes: Uint8Array, sink: AttributeSink): boolean {
  const items = dataArrayItems(bytes);
  if (items === null) {
    return false;
  }
  const [open, close] = [items[0], items[items.length - 1]];
  // The first piece decodes as the whole text would (a leading byte-order mark dropped); later ones keep theirs.
  const later = new TextDecoder('utf-8', { ignoreBOM: true });
  let rest: unknown;
  try {
    const before = new TextDecoder().decode(bytes.subarray(0, open));
    rest = JSON.parse(`${before}${JSON.stringify(DATA_SENTINEL)}${later.decode(bytes.subarray(close + 1))}`);
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
  if (items.length === 2 && isBlank(bytes, open + 1, close)) {
    return true; // []
  }
  for (let k = 0; k + 1 < items.length; k++) {
    let trace: unknown;
    try {
      trace = JSON.parse(later.decode(bytes.subarray(items[k] + 1, items[k + 1])));
    } catch {
      return false;
    }
    collectJaegerTrace(trace, sink);
  }
  return true;
}

const DATA = asciiBytes('data');

/**
 * The positions of `[`, of each separating comma and of `]` of the value of the top-level object's `data` member,
 * if that value is an array and no other top-level member is named `data` (JSON.parse would keep the last); null
 * otherwise. Strings are skipped whole, so only structure counts; whether the JSON is valid is left to JSON.parse.
 */
function dataArrayItems(bytes: Uint8Array): number[] | null {
  let pos = skipWhiteSpace(bytes, 0);
  if (bytes[pos] !== OPEN_BRACE) {
    return null;
  }
  let depth = 0;
  let inArray = false;
  let array = 0; // the depth inside the data array
  let found = false;
  const positions: number[] = [];
  for (; pos < bytes.length; pos++) {
    const c = bytes[pos];
    if (c === QUOTE) {
      const end = stringEnd(bytes, pos);
      if (end < 0) {
        return null;
      }
      if (depth === 1) {
        const colon = skipWhiteSpace(bytes, end);
        if (bytes[colon] === COLON && isDataKey(bytes, pos, end)) {
          const value = skipWhiteSpace(bytes, colon + 1);
          if (found || bytes[value] !== OPEN_BRACKET) {
            return null;
          }
          found = true;
          positions.push(value);
          depth++;
          array = depth;
          inArray = true;
          pos = value;
          continue;
        }
      }
      pos = end - 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (inArray && depth === array) {
        if (c !== CLOSE_BRACKET) {
          return null; // `[…}`: not JSON
        }
        positions.push(pos);
        inArray = false;
      }
      depth--;
    } else if (c === COMMA && inArray && depth === array) {
      positions.push(pos);
    }
  }
  return found && !inArray ? positions : null;
}

/** Whether the string from `quote` to `end` (after its closing quote) is `"data"`, escaped or not. */
function isDataKey(bytes: Uint8Array, quote: number, end: number): boolean {
  if (end - quote === 6) {
    return DATA.every((b, k) => bytes[quote + 1 + k] === b);
  }
  if (bytes.subarray(quote, end).indexOf(BACKSLASH) < 0) {
    return false;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes.subarray(quote, end))) === 'data';
  } catch {
    return false;
  }
}

/** The position after the string whose opening quote is at `quote`, or -1 if it does not end. */
function stringEnd(bytes: Uint8Array, quote: number): number {
  for (let pos = quote + 1; pos < bytes.length; pos++) {
    const b = bytes[pos];
    if (b === QUOTE) {
      return pos + 1;
    }
    if (b === BACKSLASH) {
      pos++;
    }
  }
  return -1;
}

/** The first position at or after `at` that is not JSON white space. */
function skipWhiteSpace(bytes: Uint8Array, at: number): number {
  let pos = at;
  while (pos < bytes.length && isWhiteSpace(bytes[pos])) {
    pos++;
  }
  return pos;
}

function isBlank(bytes: Uint8Array, from: number, to: number): boolean {
  return skipWhiteSpace(bytes, from) >= to;
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
