/**
 * Just enough of the protobuf wire format to read OTLP export requests (traces and logs) into the OTLP/JSON
 * shape (hex IDs, nanosecond strings), so protobuf exports can be checked and fed to Hotpath's engine like JSON
 * ones. Field numbers are those of opentelemetry-proto's trace/v1, logs/v1 and common/v1 messages.
 */
type Field =
  { wire: 0; value: bigint } | { wire: 1; value: Buffer } | { wire: 2; value: Buffer } | { wire: 5; value: Buffer };

function readVarint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (offset >= buffer.length) {
      throw new Error('truncated varint');
    }
    const byte = buffer[offset++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      return [result, offset];
    }
    shift += 7n;
  }
}

/** Field number → its occurrences, in order. Throws on malformed input. */
export function fields(buffer: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let offset = 0;
  while (offset < buffer.length) {
    const [key, next] = readVarint(buffer, offset);
    offset = next;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    let field: Field;
    if (wire === 0) {
      const [value, after] = readVarint(buffer, offset);
      offset = after;
      field = { wire, value };
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (offset + size > buffer.length) {
        throw new Error('truncated fixed field');
      }
      field = { wire, value: buffer.subarray(offset, offset + size) };
      offset += size;
    } else if (wire === 2) {
      const [length, after] = readVarint(buffer, offset);
      const end = after + Number(length);
      if (end > buffer.length) {
        throw new Error('truncated length-delimited field');
      }
      field = { wire, value: buffer.subarray(after, end) };
      offset = end;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    const list = out.get(number) ?? [];
    list.push(field);
    out.set(number, list);
  }
  return out;
}

function bytesOf(map: Map<number, Field[]>, number: number): Buffer[] {
  return (map.get(number) ?? []).flatMap((f) => (f.wire === 2 ? [f.value] : []));
}
function first(map: Map<number, Field[]>, number: number): Field | undefined {
  return map.get(number)?.[0];
}
function text(map: Map<number, Field[]>, number: number): string | undefined {
  const f = first(map, number);
  return f?.wire === 2 ? f.value.toString('utf8') : undefined;
}
function hex(map: Map<number, Field[]>, number: number): string | undefined {
  const f = first(map, number);
  return f?.wire === 2 && f.value.length > 0 ? f.value.toString('hex') : undefined;
}
function varint(map: Map<number, Field[]>, number: number): number | undefined {
  const f = first(map, number);
  return f?.wire === 0 ? Number(f.value) : undefined;
}
function fixed64(map: Map<number, Field[]>, number: number): string | undefined {
  const f = first(map, number);
  return f?.wire === 1 ? f.value.readBigUInt64LE(0).toString() : undefined;
}

type Json = Record<string, unknown>;

function anyValue(buffer: Buffer): Json {
  const m = fields(buffer);
  const f1 = text(m, 1);
  if (f1 !== undefined) {
    return { stringValue: f1 };
  }
  const b = first(m, 2);
  if (b?.wire === 0) {
    return { boolValue: b.value !== 0n };
  }
  const i = first(m, 3);
  if (i?.wire === 0) {
    return { intValue: BigInt.asIntN(64, i.value).toString() };
  }
  const d = first(m, 4);
  if (d?.wire === 1) {
    return { doubleValue: d.value.readDoubleLE(0) };
  }
  return {};
}

function keyValues(map: Map<number, Field[]>, number: number): Json[] {
  return bytesOf(map, number).map((buffer) => {
    const kv = fields(buffer);
    const value = bytesOf(kv, 2)[0];
    return { key: text(kv, 1) ?? '', value: value ? anyValue(value) : {} };
  });
}

function resource(map: Map<number, Field[]>): Json {
  const r = bytesOf(map, 1)[0];
  return { attributes: r ? keyValues(fields(r), 1) : [] };
}

function span(buffer: Buffer): Json {
  const s = fields(buffer);
  const status = bytesOf(s, 15)[0];
  const st = status ? fields(status) : undefined;
  return {
    traceId: hex(s, 1),
    spanId: hex(s, 2),
    parentSpanId: hex(s, 4),
    name: text(s, 5),
    kind: varint(s, 6) ?? 0,
    startTimeUnixNano: fixed64(s, 7),
    endTimeUnixNano: fixed64(s, 8),
    attributes: keyValues(s, 9),
    events: bytesOf(s, 11).map((e) => {
      const ev = fields(e);
      return { timeUnixNano: fixed64(ev, 1), name: text(ev, 2), attributes: keyValues(ev, 3) };
    }),
    status: st ? { message: text(st, 2), code: varint(st, 3) ?? 0 } : {},
  };
}

/** ExportTraceServiceRequest → {resourceSpans: [...]} in OTLP/JSON form. */
export function decodeTraces(buffer: Buffer): Json {
  return {
    resourceSpans: bytesOf(fields(buffer), 1).map((rs) => {
      const m = fields(rs);
      return {
        resource: resource(m),
        scopeSpans: bytesOf(m, 2).map((ss) => ({ spans: bytesOf(fields(ss), 2).map(span) })),
      };
    }),
  };
}

/** ExportLogsServiceRequest → {resourceLogs: [...]} in OTLP/JSON form. */
export function decodeLogs(buffer: Buffer): Json {
  return {
    resourceLogs: bytesOf(fields(buffer), 1).map((rl) => {
      const m = fields(rl);
      return {
        resource: resource(m),
        scopeLogs: bytesOf(m, 2).map((sl) => ({
          logRecords: bytesOf(fields(sl), 2).map((lr) => {
            const l = fields(lr);
            const body = bytesOf(l, 5)[0];
            return {
              timeUnixNano: fixed64(l, 1),
              severityNumber: varint(l, 2),
              severityText: text(l, 3),
              body: body ? anyValue(body) : undefined,
              attributes: keyValues(l, 6),
              traceId: hex(l, 9),
              spanId: hex(l, 10),
            };
          }),
        })),
      };
    }),
  };
}
