/**
 * The protobuf schema of OTLP's `ExportTraceServiceRequest`, as much of it as Hotpath reads, for protobufjs's
 * reflection decoder (a maintained library; nothing here parses the wire format by hand). Field numbers and types are
 * those of opentelemetry-proto v1.x (github.com/open-telemetry/opentelemetry-proto: opentelemetry/proto/collector/
 * trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto). Fields
 * left out here (events, trace_state, dropped counts, array and kvlist values …) are skipped by the decoder as
 * unknown fields, which protobuf requires it to do, and which is cheaper than decoding what is never read.
 * Field names are the JSON mapping's (camelCase), so a decoded message reads like OTLP/JSON.
 */
import { Root, type INamespace } from 'protobufjs/light';

const KEY_VALUE = {
  fields: {
    key: { type: 'string', id: 1 },
    value: { type: 'AnyValue', id: 2 },
  },
};

const SCHEMA: INamespace = {
  nested: {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
      },
    },
    KeyValue: KEY_VALUE,
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    Link: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        // An enum in the .proto; read as its number, which is what the engine takes.
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        links: { rule: 'repeated', type: 'Link', id: 13 },
        status: { type: 'Status', id: 15 },
      },
    },
    ScopeSpans: { fields: { spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
      },
    },
    ExportTraceServiceRequest: {
      fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
    },
  },
};

export const exportTraceServiceRequest = Root.fromJSON(SCHEMA).lookupType('ExportTraceServiceRequest');

/**
 * The same schema for reading, with a key-value's value left as its encoded bytes: an embedded message and a bytes
 * field are both length-delimited on the wire, so this decodes the same messages, and the decoder keeps a view of
 * the value instead of decoding it. `hotpath stream` decodes only the few values the engine reads (anyValue below);
 * most attributes are dropped unread, and decoding their strings was a large part of the time per span.
 */
const READING = Root.fromJSON({
  nested: { ...SCHEMA.nested, KeyValue: { fields: { ...KEY_VALUE.fields, value: { type: 'bytes', id: 2 } } } },
});
export const exportTraceServiceRequestForReading = READING.lookupType('ExportTraceServiceRequest');
export const anyValue = READING.lookupType('AnyValue');

/**
 * Only the spans' trace IDs, every other field skipped by the decoder: what `hotpath stream` reads of a message when
 * it arrives, to group it. The message itself is kept encoded and decoded in full once its trace is finalised.
 */
export const traceIdsOfRequest = Root.fromJSON({
  nested: {
    Span: { fields: { traceId: { type: 'bytes', id: 1 } } },
    ScopeSpans: { fields: { spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    ResourceSpans: { fields: { scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
  },
}).lookupType('ExportTraceServiceRequest');
