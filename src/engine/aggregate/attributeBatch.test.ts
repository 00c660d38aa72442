/** @jest-environment node */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { fixturePath, listFixtures } from '../../testing/fixtures';
import { collectAttributesFromText, recordAttributesFromBytes } from '../adapters/attributes';
import { AttributeCollector, AttributeLimits, AttributeRecorder, DEFAULT_ATTRIBUTE_LIMITS } from './attributes';

/**
 * The CLI records each input's attributes (`recordAttributesFromBytes` into an `AttributeRecorder`: Jaeger traces
 * parsed one by one, in a worker with `--jobs N`) and adds them on the main thread (`AttributeCollector.addBatch`):
 * the collector must end up exactly as if the whole text had been parsed and fed to it directly, input by input —
 * same ids, same caps hit by the same values, same drops, same sets.
 */

/** Everything a collector holds that the analysis reads, ids included (they order skipped keys and ties). */
function snapshot(collector: AttributeCollector, traceIds: Iterable<string>) {
  const keys = [];
  for (let keyId = 0; keyId < collector.keyCount; keyId++) {
    keys.push({
      service: collector.service(keyId),
      key: collector.key(keyId),
      values: collector.distinctValues(keyId),
      traces: collector.tracesWith(keyId),
      overflowed: collector.overflowed(keyId),
    });
  }
  const attributes = [];
  for (let attr = 0; attr < collector.attributeCount; attr++) {
    attributes.push([collector.keyOf(attr), collector.value(attr)]);
  }
  const sets = [...traceIds].map((traceId) => [traceId, [...collector.setOf(traceId)]]);
  return { keys, attributes, sets, drops: { ...collector.drops } };
}

/** Trace IDs fed to a sink, in order (to list the sets to compare). */
class TraceIdLog extends AttributeCollector {
  readonly ids = new Set<string>();
  startTrace(traceId: string): void {
    this.ids.add(traceId);
    super.startTrace(traceId);
  }
}

/** As the CLI collected before: each input's bytes decoded whole (a leading byte-order mark dropped) and parsed. */
function direct(texts: string[], limits: AttributeLimits): TraceIdLog {
  const collector = new TraceIdLog(limits);
  texts.forEach((text) =>
    collectAttributesFromText(new TextDecoder().decode(new TextEncoder().encode(text)), collector)
  );
  return collector;
}

function batched(texts: string[], limits: AttributeLimits): AttributeCollector {
  const collector = new AttributeCollector(limits);
  const recorder = new AttributeRecorder(limits); // one recorder for all files, as in a worker
  for (const text of texts) {
    recordAttributesFromBytes(new TextEncoder().encode(text), recorder);
    collector.addBatch(structuredClone(recorder.take())); // cloned as postMessage does
  }
  return collector;
}

function expectSameCollection(texts: string[], limits: AttributeLimits): void {
  const reference = direct(texts, limits);
  expect(reference.attributeCount).toBeGreaterThan(0);
  expect(snapshot(batched(texts, limits), reference.ids)).toEqual(snapshot(reference, reference.ids));
}

/** Small enough caps that the recorded fixtures hit every one of them. */
const TIGHT: AttributeLimits = { maxKeys: 150, maxValuesPerKey: 2, maxValueLength: 24 };

describe('AttributeRecorder batches added with AttributeCollector.addBatch', () => {
  const fixtureTexts = [
    ...listFixtures('jaeger').map((name) => `jaeger/${name}`),
    ...listFixtures('jaeger/grafana-frames').map((name) => `jaeger/grafana-frames/${name}`),
    ...listFixtures('otlp').map((name) => `otlp/${name}`),
    ...listFixtures('otlp', '.jsonl').map((name) => `otlp/${name}`),
  ].map((relative) => readFileSync(fixturePath(relative), 'utf8'));

  it('collect what feeding the recorded fixtures directly collects, default caps and tight ones', () => {
    expect(fixtureTexts.length).toBeGreaterThan(20);
    // Twice over: the second round unions into the sets of trace IDs seen already.
    const texts = [...fixtureTexts, ...fixtureTexts];
    expectSameCollection(texts, DEFAULT_ATTRIBUTE_LIMITS);
    expectSameCollection(texts, TIGHT);
    const tight = direct(texts, TIGHT);
    expect(tight.drops.keysOverCap).toBeGreaterThan(0);
    expect(tight.drops.valuesOverCap).toBeGreaterThan(0);
    expect(tight.drops.unusableValues).toBeGreaterThan(0);
  });

  it('collect what feeding a generated set directly collects', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hotpath-attributes-'));
    try {
      const generate = path.resolve(__dirname, '../../../bench/generate.mjs');
      const options = ['--seed=5', '--traces=150', '--spans=30', '--orphans=0.05', '--shard=40', `--out=${dir}`];
      execFileSync(process.execPath, [generate, ...options], { stdio: 'pipe' });
      const texts = readdirSync(dir)
        .sort()
        .map((name) => readFileSync(path.join(dir, name), 'utf8'));
      expect(texts.length).toBe(4);
      expectSameCollection(texts, DEFAULT_ATTRIBUTE_LIMITS);
      expectSameCollection(texts, { maxKeys: 30, maxValuesPerKey: 6, maxValueLength: 12 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('collect what parsing the whole text collects when the data array is not what it seems', () => {
    const trace = (id: string, host: string) =>
      `{"traceID":"${id}","spans":[{"traceID":"${id}","spanID":"s","processID":"p1","tags":[{"key":"k","type":"string","value":"v-${id}"}]}],` +
      `"processes":{"p1":{"serviceName":"svc","tags":[{"key":"host","type":"string","value":"${host}"}]}}}`;
    const [a, b, c] = [trace('a', 'h1'), trace('b', 'h2'), trace('c', 'h\\u0022\\"[')];
    const texts = [
      `{"data":[${a},${b}]}`,
      ` \n{"x":{"data":[${c}]},"data" : [ ${a} , ${c} ] ,"y":"]"}`,
      `{"data":[${a}],"data":[${b}]}`, // JSON.parse keeps the last
      `{"data":[${a}],"d\\u0061ta":[${b}]}`, // the same key, escaped
      `{"data":[${a}],"resourceSpans":[]}`, // OTLP
      `{"data":[${a},]}`, // not JSON: lines
      `{"data":[${a}}}`, // `[…}`
      `{"data":[${a}]`,
      `{"data":[${a},${b}],"data":"hotpath: the data array"}`, // the stand-in for the array, as data
      `{"data":[${a},${b}],"d\\u0061ta":"hotpath: the data array"}`,
      `{"data":[${a},${b}],"x":{"data":"hotpath: the data array"}}`,
      `{"data":[\uFEFF${a}]}`, // a byte-order mark inside: not JSON
      `\uFEFF{"data":[${a}]}`,
      `{"data":[${a}]}]],{"data":[${b}]}`,
      `{"data":[${a}]}\n{"x":[${b}]}`,
      `{"data":[${trace('é', 'hôte ✓ 🚀')}, ${b}]}`,
      `{"data":[]}`,
      `{"data":[ ]}`,
      `{"data":[${a}, 3, "x", null]}`,
      `{"data":{"traceID":"d"}}`,
      `[{"data":[${b}]}]`,
      `{"data":[${a}]}\n{"data":[${b}]}`,
      `{"data":[${a}]}\n{"data":[${b},]}\n{"data":[${c}]}`,
    ];
    for (const text of texts) {
      expectSameCollection([text, `{"data":[${a},${b},${c}]}`], DEFAULT_ATTRIBUTE_LIMITS);
    }
  });

  it('count every use a cap drops, not only the first one in a trace', () => {
    const limits: AttributeLimits = { maxKeys: 1, maxValuesPerKey: 1, maxValueLength: 8 };
    const recorder = new AttributeRecorder(limits);
    const collector = new AttributeCollector(limits);
    for (const sink of [recorder, collector]) {
      sink.startTrace('t1');
      for (const [key, value] of [
        ['host', 'a'],
        ['host', 'b'],
        ['host', 'b'],
        ['zone', 'x'],
        ['zone', 'x'],
        ['zone', 'x'],
        ['host', 'a'],
        ['host', 'much too long'],
      ]) {
        sink.add('svc', key, value);
      }
      sink.endTrace();
    }
    const fromBatch = new AttributeCollector(limits);
    fromBatch.addBatch(recorder.take());
    expect(collector.drops).toEqual({ keysOverCap: 3, valuesOverCap: 2, unusableValues: 1 });
    expect(snapshot(fromBatch, ['t1'])).toEqual(snapshot(collector, ['t1']));
  });
});
