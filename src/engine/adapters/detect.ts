import { OperationTable } from '../model/operations';
import { TraceInputError, UnknownFormatError } from '../model/problems';
import { readGrafanaFrames } from './grafanaFrame';
import { readJaeger } from './jaeger';
import { readJaegerBytes } from './jaegerBytes';
import { readOtlp } from './otlp';
import { isRecord, ParsedTraces } from './types';

export type TraceFormat = 'jaeger' | 'otlp' | 'grafana-frame';

const EXPECTED =
  'expected Jaeger JSON ({"data":[…]} or a trace), OTLP JSON ({"resourceSpans":[…]} or JSON lines) ' +
  'or a Grafana trace frame';

/** Recognises the format of already-parsed JSON by its top-level shape; null when it is none of ours. */
export function detectFormat(value: unknown): TraceFormat | null {
  const probe = Array.isArray(value) ? value[0] : value;
  if (!isRecord(probe)) {
    return null;
  }
  if (Array.isArray(probe.resourceSpans) || Array.isArray(probe.batches)) {
    return 'otlp';
  }
  if (Array.isArray(probe.data) || Array.isArray(probe.spans)) {
    return 'jaeger';
  }
  if (Array.isArray(probe.frames) || isRecord(probe.results) || Array.isArray(probe.fields) || isRecord(probe.schema)) {
    return 'grafana-frame';
  }
  return null;
}

/** Reads parsed JSON of any supported format. Throws `UnknownFormatError` when the format is unknown. */
export function readTraces(value: unknown, operations: OperationTable, source?: string): ParsedTraces {
  switch (detectFormat(value)) {
    case 'otlp':
      return readOtlp(value, operations, source);
    case 'jaeger':
      return readJaeger(value, operations, source);
    case 'grafana-frame':
      return readGrafanaFrames(value, operations, source);
    default:
      throw new UnknownFormatError(`${EXPECTED}; found ${describe(value)}`, { source });
  }
}

/**
 * Parses JSON text (or JSON lines: one document per line) and reads it. Throws `TraceInputError` naming the
 * line when the text is not JSON.
 */
export function readTraceText(text: string, operations: OperationTable, source?: string): ParsedTraces {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (wholeError) {
    value = parseJsonLines(text, source, wholeError);
  }
  return readTraces(value, operations, source);
}

function parseJsonLines(text: string, source: string | undefined, wholeError: unknown): unknown[] {
  const lines = text.split('\n');
  const documents: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') {
      continue;
    }
    try {
      documents.push(JSON.parse(line));
    } catch {
      // One line that is not JSON: if it is the only document the file is simply not JSON.
      const reason = documents.length === 0 && wholeError instanceof Error ? wholeError.message : 'not JSON';
      throw new TraceInputError(`not valid JSON or JSON lines (line ${i + 1}: ${reason})`, { source });
    }
  }
  if (documents.length === 0) {
    throw new TraceInputError('the input is empty', { source });
  }
  return documents;
}

/** `an array of an array of an object with keys "a", "b"`: arrays are followed through their first item. */
function describe(value: unknown): string {
  // A loop, not recursion: input can nest arrays thousands deep.
  let depth = 0;
  while (Array.isArray(value) && value.length > 0) {
    depth++;
    value = value[0];
  }
  const inner = describeOne(value);
  return depth <= 3 ? 'an array of '.repeat(depth) + inner : `${inner} inside ${depth} nested arrays`;
}

function describeOne(value: unknown): string {
  if (Array.isArray(value)) {
    return 'an empty array';
  }
  if (isRecord(value)) {
    const keys = Object.keys(value).slice(0, 5);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return value === null ? 'null' : `a ${typeof value}`;
}

/**
 * Reads a file's bytes: Jaeger JSON through the fast selective reader, anything else (or anything the fast
 * reader declines) through `readTraceText`. Same results either way; the fast path only skips unused content.
 */
export function readTraceBytes(bytes: Uint8Array, operations: OperationTable, source?: string): ParsedTraces {
  return readJaegerBytes(bytes, operations, source) ?? readTraceText(utf8.decode(bytes), operations, source);
}

const utf8 = new TextDecoder('utf-8');
