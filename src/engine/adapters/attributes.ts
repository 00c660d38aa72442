import type { AttributeSink } from '../aggregate/attributes';
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
