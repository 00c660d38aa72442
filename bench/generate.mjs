#!/usr/bin/env node
// Deterministic synthetic Jaeger trace generator for Hotpath benchmarks and tests.
//
// Output is the Jaeger query API JSON shape ({"data":[trace, …]}) plus a top-level "_generator" key that records the
// seed, the counts and the planted hotspot. The same options always give byte-identical output: every trace is drawn
// from its own mulberry32 stream derived from (seed, trace index), so sharding does not change any trace.
//
// CLI:     node bench/generate.mjs --seed=42 --traces=1000 --spans=50 [--orphans=0.01] [--shard=500] \
//            [--shape=normal|chain|wide|huge] --out=<file-or-dir>
// Library: import { generateTraces } from './generate.mjs'; for (const trace of generateTraces({ seed: 42 })) …

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const SHAPES = ['normal', 'chain', 'wide', 'huge'];

export const DEFAULTS = {
  seed: 42,
  traces: 1000, // 1 for the chain, wide and huge shapes
  spans: 50, // 5000 for chain, 20000 for wide, 80000 for huge
  shape: 'normal',
  services: 12,
  ops: 4,
  fanout: 4, // 32 for huge
  parallel: 0.35,
  async: 0.05,
  skew: 0.02,
  orphans: 0,
  errors: 0.01,
  hotspot: 0.1,
};

const SHAPE_DEFAULTS = {
  normal: {},
  chain: { traces: 1, spans: 5000 },
  wide: { traces: 1, spans: 20000 },
  huge: { traces: 1, spans: 80000, fanout: 32 },
};

const HOTSPOT_EXTRA_US = 20000;
const BASE_TIME_US = 1_763_000_000_000_000;
const TRACE_SPACING_US = 50_000;

// ---------------------------------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hash two 32-bit integers into one (murmur3 finaliser over a golden-ratio mix). */
function mix32(a, b) {
  let h = (a ^ Math.imul(b + 0x7f4a7c15, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }

  float() {
    return this.next();
  }

  chance(p) {
    return this.next() < p;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Standard normal deviate (Box-Muller, one value per call). */
  normal() {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal sample with the given median and log-space sigma. */
  logNormal(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }

  /** Log-normal duration in whole microseconds, at least `min`. */
  micros(median, sigma, min = 1) {
    return Math.max(min, Math.round(this.logNormal(median, sigma)));
  }

  /** `digits` lower-case hex digits (a multiple of 8), never all zeros. */
  hex(digits) {
    let out = '';
    for (let i = 0; i < digits; i += 8) {
      out += (Math.floor(this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    }
    return /^0+$/.test(out) ? '1'.padStart(digits, '0') : out;
  }

  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Options

/** Fill in defaults (shape-specific ones included) and validate. Throws on bad input. */
export function resolveOptions(options = {}) {
  const shape = options.shape ?? DEFAULTS.shape;
  if (!SHAPES.includes(shape)) {
    throw new Error(`unknown shape '${shape}' (expected one of ${SHAPES.join(', ')})`);
  }
  const cfg = { ...DEFAULTS, ...SHAPE_DEFAULTS[shape] };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) {
      cfg[key] = value;
    }
  }
  const integers = { seed: -Infinity, traces: 0, spans: 1, services: 1, ops: 1, fanout: 1 };
  for (const [key, min] of Object.entries(integers)) {
    if (!Number.isSafeInteger(cfg[key]) || cfg[key] < min) {
      throw new Error(`--${key} must be an integer${min > -Infinity ? ` >= ${min}` : ''}, got ${cfg[key]}`);
    }
  }
  for (const key of ['parallel', 'async', 'skew', 'orphans', 'errors', 'hotspot']) {
    if (typeof cfg[key] !== 'number' || !(cfg[key] >= 0 && cfg[key] <= 1)) {
      throw new Error(`--${key} must be a probability in [0, 1], got ${cfg[key]}`);
    }
  }
  if (shape === 'chain' || shape === 'wide') {
    // Strictly sequential stress shapes: nothing runs in parallel, nothing is skewed or detached, no hotspot.
    Object.assign(cfg, { parallel: 0, async: 0, skew: 0, hotspot: 0 });
  }
  return cfg;
}

// ---------------------------------------------------------------------------------------------------------------------
// The world: services, their operations and who calls whom. Fixed per (seed, services, ops).

const SERVICE_POOL = [
  ['auth', ['tokens', 'sessions']],
  ['users', ['users', 'profiles']],
  ['catalog', ['products', 'categories']],
  ['pricing', ['quotes', 'prices']],
  ['inventory', ['stock', 'reservations']],
  ['cart', ['carts', 'items']],
  ['checkout', ['orders', 'payments']],
  ['payment', ['charges', 'refunds']],
  ['shipping', ['shipments', 'rates']],
  ['recommendation', ['recommendations', 'users']],
  ['search', ['queries', 'suggestions']],
  ['notification', ['messages', 'templates']],
  ['reviews', ['reviews', 'ratings']],
  ['ads', ['campaigns', 'placements']],
  ['currency', ['rates', 'conversions']],
  ['geo', ['locations', 'regions']],
  ['orders', ['orders', 'lines']],
  ['media', ['images', 'thumbnails']],
  ['fraud', ['scores', 'rules']],
  ['loyalty', ['points', 'rewards']],
  ['tax', ['rates', 'jurisdictions']],
  ['email', ['emails', 'bounces']],
  ['analytics', ['events', 'sessions']],
  ['config', ['flags', 'settings']],
];

const FRONTEND_ROUTES = [
  ['GET', '/'],
  ['GET', '/product/{id}'],
  ['POST', '/cart'],
  ['GET', '/cart'],
  ['POST', '/checkout'],
  ['GET', '/search'],
  ['GET', '/account/{id}'],
  ['GET', '/orders/{id}'],
];

const ROUTE_TEMPLATES = [
  ['GET', '/{a}/{id}'],
  ['GET', '/{a}'],
  ['POST', '/{a}'],
  ['PUT', '/{a}/{id}'],
  ['GET', '/{a}/{id}/{b}'],
  ['DELETE', '/{a}/{id}'],
  ['POST', '/{a}/{id}/{b}'],
  ['GET', '/{b}/search'],
];

const DB_SYSTEMS = [
  ['postgresql', 5432],
  ['mysql', 3306],
];
const CACHE_COMMANDS = ['GET', 'HGETALL', 'MGET', 'SET', 'EXISTS'];
const INTERNAL_STEPS = [
  ['validate request', 'validate'],
  ['serialize response', 'serialize'],
  ['apply business rules', 'applyRules'],
  ['render template', 'render'],
  ['compute aggregate', 'aggregate'],
  ['check permissions', 'authorize'],
];

function podName(rng, service) {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += alphabet[Math.floor(rng.float() * alphabet.length)];
  }
  return `${service}-${rng.hex(8)}-${suffix}`;
}

/** Build the fixed world for a resolved configuration. */
export function createWorld(cfg) {
  const rng = new Rng(mix32(cfg.seed >>> 0, Math.floor(cfg.seed / 4294967296) ^ 0x5eed));
  const pool = rng.shuffle(SERVICE_POOL.slice());
  const services = [];
  for (let s = 0; s < cfg.services; s++) {
    let name;
    let nouns;
    if (s === 0) {
      name = 'frontend';
      nouns = ['pages', 'sessions'];
    } else if (s - 1 < pool.length) {
      [name, nouns] = pool[s - 1];
    } else {
      name = `service-${String(s).padStart(2, '0')}`;
      nouns = ['records', 'items'];
    }

    const templates = rng.shuffle((s === 0 ? FRONTEND_ROUTES : ROUTE_TEMPLATES).slice());
    const ops = [];
    for (let k = 0; k < cfg.ops; k++) {
      const [method, template] = templates[k % templates.length];
      let route = template.replace('{a}', nouns[0]).replace('{b}', nouns[1]);
      if (k >= templates.length) {
        route += `/v${Math.floor(k / templates.length) + 1}`;
      }
      // Base self time: log-normal across operations, median 1.5 ms.
      ops.push({ method, route, name: `${method} ${route}`, base: rng.logNormal(1500, 0.7) });
    }

    const [dbSystem, dbPort] = rng.pick(DB_SYSTEMS);
    const table = rng.pick(nouns);
    const cacheCommand = rng.pick(CACHE_COMMANDS);
    const [stepName, stepFunction] = rng.pick(INTERNAL_STEPS);
    const topic = `${name}.${nouns[0]}`;
    const instances = [];
    const instanceCount = rng.int(1, 3);
    for (let k = 0; k < instanceCount; k++) {
      instances.push({
        host: podName(rng, name),
        ip: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(2, 254)}`,
      });
    }
    services.push({
      name,
      ops,
      port: s === 0 ? 80 : 8080,
      instances,
      callees: [],
      db: {
        name: `SELECT ${table}`,
        system: dbSystem,
        port: dbPort,
        database: name.replace(/-/g, '_'),
        table,
        host: `${name}-db`,
        base: rng.logNormal(1200, 0.6),
      },
      cache: { name: cacheCommand, command: cacheCommand, key: `${name}:${nouns[0]}`, base: rng.logNormal(250, 0.4) },
      internal: {
        name: stepName,
        fn: stepFunction,
        namespace: `com.example.${name.replace(/-/g, '')}`,
        base: rng.logNormal(600, 0.6),
      },
      producer: { name: `${topic} publish`, topic, base: rng.logNormal(300, 0.4) },
      consumer: { name: `${topic} process`, topic, group: `${name}-workers`, base: rng.logNormal(1200, 0.6) },
    });
  }

  // A random DAG: services only call services with a higher index, so there are no cycles. Each non-frontend service
  // gets at least one caller; the first few hang directly off the frontend.
  for (let j = 1; j < services.length; j++) {
    const caller = j <= 3 ? 0 : rng.int(0, j - 1);
    services[caller].callees.push(j);
    for (let i = 0; i < j; i++) {
      if (i !== caller && rng.chance(0.15)) {
        services[i].callees.push(j);
      }
    }
  }
  for (const service of services) {
    service.callees.sort((a, b) => a - b);
  }

  // The hotspot: one HTTP operation of a service the frontend calls directly, so a hotspot trace can always reach it.
  let hotspot = null;
  if (services[0].callees.length > 0) {
    const svc = rng.pick(services[0].callees);
    const op = rng.pick(services[svc].ops);
    hotspot = { svc, op };
  }
  return {
    services,
    hotspot,
    latency: rng.logNormal(250, 0.3), // median one-way network latency, µs
    queueDelay: rng.logNormal(15000, 0.3), // median producer-to-consumer queue delay, µs
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// One trace

function traceRng(cfg, index) {
  const seedHash = mix32(cfg.seed >>> 0, Math.floor(cfg.seed / 4294967296));
  return new Rng(mix32(seedHash, mix32(index >>> 0, SHAPES.indexOf(cfg.shape))));
}

/** The first draws of a trace's stream: its ID and whether it carries the hotspot. Cheap; used for file headers. */
function traceHeader(cfg, world, index) {
  const rng = traceRng(cfg, index);
  const traceID = rng.hex(32);
  const hotDraw = rng.float();
  const hot = world.hotspot !== null && cfg.spans >= 3 && hotDraw < cfg.hotspot;
  return { rng, traceID, hot };
}

class TraceBuilder {
  constructor(cfg, world, rng, hot) {
    this.cfg = cfg;
    this.world = world;
    this.rng = rng;
    this.hot = hot;
    this.nodes = [];
    this.hosts = []; // spans that may get children: server, consumer, internal
    this.open = []; // hosts below the fanout cap
  }

  add(parent, kind, svc, op) {
    const node = {
      index: this.nodes.length,
      parent,
      kind,
      svc,
      op,
      ref: 'CHILD_OF',
      children: [],
      self: 0,
      dur: 0,
      off: 0,
      start: 0,
      error: false,
      hot: false,
      skew: 0,
      id: '',
      parentID: '',
    };
    this.nodes.push(node);
    if (parent !== null) {
      parent.children.push(node);
    }
    return node;
  }

  host(node) {
    this.hosts.push(node);
    this.open.push(node);
  }

  /** CLIENT span in the caller plus SERVER span in the callee. */
  call(parent, callee, op) {
    const { cfg, rng, world } = this;
    const client = this.add(parent, 'client', parent.svc, op);
    const server = this.add(client, 'server', callee, op);
    server.error = rng.chance(cfg.errors);
    client.error = server.error;
    server.hot = this.hot && callee === world.hotspot.svc && op === world.hotspot.op;
    if (rng.chance(cfg.skew)) {
      server.skew = (rng.chance(0.5) ? -1 : 1) * (0.3 + 1.2 * rng.float());
    }
    return server;
  }

  /** PRODUCER span in the caller plus a CONSUMER span in the callee that FOLLOWS_FROM it. */
  message(parent, callee) {
    const { cfg, rng, world } = this;
    const producer = this.add(parent, 'producer', parent.svc, world.services[callee].producer);
    const consumer = this.add(producer, 'consumer', callee, world.services[callee].consumer);
    consumer.ref = 'FOLLOWS_FROM';
    producer.error = rng.chance(cfg.errors);
    consumer.error = rng.chance(cfg.errors);
    return consumer;
  }

  leaf(parent, kind) {
    const service = this.world.services[parent.svc];
    const node = this.add(parent, kind, parent.svc, service[kind]);
    node.error = this.rng.chance(this.cfg.errors);
    return node;
  }

  leafKind() {
    const r = this.rng.float();
    return r < 0.4 ? 'db' : r < 0.7 ? 'cache' : 'internal';
  }

  /** Add one child (one or two spans) under `parent`; returns the new host span, if any. */
  grow(parent, remaining) {
    const { cfg, rng, world } = this;
    const service = world.services[parent.svc];
    if (remaining >= 2 && service.callees.length > 0 && rng.chance(0.5)) {
      const callee = rng.pick(service.callees);
      if (rng.chance(cfg.async)) {
        return this.message(parent, callee);
      }
      return this.call(parent, callee, rng.pick(world.services[callee].ops));
    }
    const node = this.leaf(parent, this.leafKind());
    return node.kind === 'internal' ? node : null;
  }

  buildNormal() {
    const { cfg, rng, world } = this;
    const root = this.add(null, 'server', 0, rng.pick(world.services[0].ops));
    root.error = rng.chance(cfg.errors);
    this.host(root);
    if (this.hot) {
      // Make sure the hotspot operation is in the trace: the root's first call goes to it.
      this.host(this.call(root, world.hotspot.svc, world.hotspot.op));
    }
    while (this.nodes.length < cfg.spans) {
      const open = this.open;
      let slot = -1;
      let parent;
      if (open.length > 0) {
        slot = Math.floor(rng.float() * open.length);
        parent = open[slot];
      } else {
        parent = rng.pick(this.hosts); // every host is full: exceed the cap rather than miss the span count
      }
      const created = this.grow(parent, cfg.spans - this.nodes.length);
      if (slot >= 0 && parent.children.length >= cfg.fanout) {
        open[slot] = open[open.length - 1];
        open.pop();
      }
      if (created !== null) {
        this.host(created);
      }
    }
  }

  /** Each span is the only child of the previous one. */
  buildChain() {
    const { cfg, rng, world } = this;
    let current = this.add(null, 'server', 0, rng.pick(world.services[0].ops));
    current.error = rng.chance(cfg.errors);
    while (this.nodes.length < cfg.spans) {
      const remaining = cfg.spans - this.nodes.length;
      if (remaining >= 2 && rng.chance(0.4)) {
        const callees = world.services[current.svc].callees;
        let callee = current.svc;
        if (callees.length > 0) {
          callee = rng.pick(callees);
        } else if (world.services.length > 1) {
          callee = rng.int(1, world.services.length - 1); // bottom of the DAG: wrap around to keep going
        }
        current = this.call(current, callee, rng.pick(world.services[callee].ops));
      } else if (remaining === 1) {
        this.leaf(current, this.leafKind());
      } else {
        current = this.leaf(current, 'internal');
      }
    }
  }

  /** One root with spans-1 leaf children. */
  buildWide() {
    const { cfg, rng, world } = this;
    const root = this.add(null, 'server', 0, rng.pick(world.services[0].ops));
    root.error = rng.chance(cfg.errors);
    while (this.nodes.length < cfg.spans) {
      this.leaf(root, this.leafKind());
    }
  }

  selfTime(node) {
    const { rng, world } = this;
    const service = world.services[node.svc];
    switch (node.kind) {
      case 'server':
        return rng.micros(node.op.base, 0.35) + (node.hot ? HOTSPOT_EXTRA_US : 0);
      case 'consumer':
        return rng.micros(service.consumer.base, 0.4);
      case 'producer':
        return rng.micros(service.producer.base, 0.4);
      case 'internal':
        return rng.micros(service.internal.base, 0.5);
      case 'db':
        return rng.micros(service.db.base, 0.6);
      case 'cache':
        return rng.micros(service.cache.base, 0.4);
      default:
        throw new Error(`no self time for ${node.kind}`);
    }
  }

  /** Durations bottom-up (children always have higher indices than their parents), then start times top-down. */
  time(traceStart) {
    const { cfg, rng, world } = this;
    const nodes = this.nodes;
    const wide = cfg.shape === 'wide';
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (node.kind === 'client') {
        const server = node.children[0];
        const out = rng.micros(world.latency, 0.5, 20);
        const back = rng.micros(world.latency, 0.5, 20);
        server.off = out;
        node.dur = out + server.dur + back;
        continue;
      }
      const self = this.selfTime(node);
      const kids = node.children;
      if (kids.length === 0 || node.kind === 'producer') {
        node.dur = self; // a producer does not wait for its consumer
        continue;
      }

      // Sequential stages; some hold several staggered parallel children.
      const stages = [];
      for (let k = 0; k < kids.length;) {
        let size = 1;
        if (kids.length - k >= 2 && rng.chance(cfg.parallel)) {
          size = rng.int(2, Math.min(4, kids.length - k));
        }
        stages.push(size);
        k += size;
      }

      // Self time is spread over the gaps before, between and after the stages (wide: before and after only, so
      // siblings touch end-to-start).
      const gaps = new Array(stages.length + 1).fill(0);
      let weightSum = 0;
      for (let g = 0; g < gaps.length; g++) {
        if (!wide || g === 0 || g === gaps.length - 1) {
          gaps[g] = 0.05 + rng.float();
          weightSum += gaps[g];
        }
      }
      let assigned = 0;
      for (let g = 0; g < gaps.length; g++) {
        gaps[g] = Math.floor((self * gaps[g]) / weightSum);
        assigned += gaps[g];
      }
      gaps[gaps.length - 1] += self - assigned;

      let cursor = gaps[0];
      let c = 0;
      for (let s = 0; s < stages.length; s++) {
        let offset = cursor;
        let stageEnd = cursor;
        for (let q = 0; q < stages[s]; q++) {
          const child = kids[c++];
          if (q > 0) {
            offset += rng.micros(150, 0.8); // stagger of parallel calls
          }
          child.off = offset;
          stageEnd = Math.max(stageEnd, offset + child.dur);
        }
        cursor = stageEnd + gaps[s + 1];
      }
      node.dur = Math.max(1, cursor);
    }

    nodes[0].start = traceStart;
    for (const node of nodes) {
      for (const child of node.children) {
        if (node.kind === 'producer') {
          child.start = node.start + node.dur + rng.micros(world.queueDelay, 1.0);
        } else {
          child.start = node.start + child.off;
        }
        if (child.skew !== 0) {
          child.start += Math.round(child.skew * node.dur); // clock skew: the whole server subtree moves
        }
      }
    }
  }
}

function httpTarget(rng, route) {
  return route.replace('{id}', String(rng.int(1, 999999)));
}

function withOptional(rng, tags, optional, errorTags) {
  const want = rng.int(3, 5) - tags.length - errorTags;
  for (let k = 0; k < want && k < optional.length; k++) {
    tags.push(optional[k]);
  }
  return tags;
}

function tag(key, value) {
  const type = typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'int64' : 'string';
  return { key, type, value };
}

/** 3–5 tags per span (about 490 bytes a span, like the peers' benchmark set), by kind; errors add error=true and otel.status_code=ERROR (and a 500 on HTTP spans). */
function spanTags(node, rng, world, instance) {
  const service = world.services[node.svc];
  const errorTags = node.error ? 2 : 0;
  let tags;
  switch (node.kind) {
    case 'server': {
      const status = node.error ? 500 : node.op.method === 'POST' ? 201 : 200;
      tags = withOptional(
        rng,
        [
          tag('span.kind', 'server'),
          tag('http.method', node.op.method),
          tag('http.route', node.op.route),
          tag('http.status_code', status),
        ],
        [
          tag('http.target', httpTarget(rng, node.op.route)),
          tag('http.scheme', 'http'),
          tag('net.host.name', instance.host),
          tag('http.flavor', '1.1'),
          tag('otel.scope.name', 'io.opentelemetry.http-server'),
        ],
        errorTags
      );
      break;
    }
    case 'client': {
      const callee = world.services[node.children[0].svc];
      const status = node.error ? 500 : node.op.method === 'POST' ? 201 : 200;
      tags = withOptional(
        rng,
        [
          tag('span.kind', 'client'),
          tag('http.method', node.op.method),
          tag('http.url', `http://${callee.name}:${callee.port}${httpTarget(rng, node.op.route)}`),
          tag('http.status_code', status),
        ],
        [
          tag('peer.service', callee.name),
          tag('net.peer.name', callee.name),
          tag('net.peer.port', callee.port),
          tag('http.flavor', '1.1'),
          tag('otel.scope.name', 'io.opentelemetry.http-client'),
        ],
        errorTags
      );
      break;
    }
    case 'db': {
      const db = service.db;
      tags = withOptional(
        rng,
        [
          tag('span.kind', 'client'),
          tag('db.system', db.system),
          tag('db.name', db.database),
          tag('db.statement', `SELECT * FROM ${db.table} WHERE id = ?`),
        ],
        [
          tag('db.operation', 'SELECT'),
          tag('db.sql.table', db.table),
          tag('net.peer.name', db.host),
          tag('net.peer.port', db.port),
          tag('db.user', `${db.database}_app`),
        ],
        errorTags
      );
      break;
    }
    case 'cache': {
      const cache = service.cache;
      tags = withOptional(
        rng,
        [
          tag('span.kind', 'client'),
          tag('db.system', 'redis'),
          tag('db.operation', cache.command),
          tag('db.statement', `${cache.command} ${cache.key}:${rng.int(1, 999999)}`),
        ],
        [
          tag('net.peer.name', `${service.name}-redis`),
          tag('net.peer.port', 6379),
          tag('db.redis.database_index', 0),
          tag('otel.scope.name', 'io.opentelemetry.redis'),
        ],
        errorTags
      );
      break;
    }
    case 'internal': {
      const step = service.internal;
      tags = withOptional(
        rng,
        [
          tag('span.kind', 'internal'),
          tag('code.function', step.fn),
          tag('code.namespace', step.namespace),
          tag('otel.scope.name', step.namespace),
        ],
        [tag('code.lineno', rng.int(20, 900)), tag('thread.name', `worker-${rng.int(1, 16)}`), tag('thread.id', 0)],
        errorTags
      );
      break;
    }
    case 'producer':
    case 'consumer': {
      const producer = node.kind === 'producer';
      const msg = producer ? node.op : service.consumer;
      tags = withOptional(
        rng,
        [
          tag('span.kind', node.kind),
          tag('messaging.system', 'kafka'),
          tag('messaging.destination.name', msg.topic),
          tag('messaging.operation', producer ? 'publish' : 'process'),
        ],
        [
          tag('messaging.kafka.destination.partition', rng.int(0, 11)),
          tag('messaging.message.id', String(rng.int(1, 99999999))),
          producer ? tag('net.peer.name', 'kafka') : tag('messaging.kafka.consumer.group', msg.group),
          tag('otel.scope.name', 'io.opentelemetry.kafka-clients'),
        ],
        errorTags
      );
      break;
    }
    default:
      throw new Error(`unknown kind ${node.kind}`);
  }
  if (node.error) {
    tags.push(tag('error', true), tag('otel.status_code', 'ERROR'));
  }
  return tags;
}

/** Generate trace number `index` (0-based). Depends only on the options and the index. */
export function generateTrace(cfg, world, index) {
  const { rng, traceID, hot } = traceHeader(cfg, world, index);
  const builder = new TraceBuilder(cfg, world, rng, hot);
  if (cfg.shape === 'chain') {
    builder.buildChain();
  } else if (cfg.shape === 'wide') {
    builder.buildWide();
  } else {
    builder.buildNormal();
  }
  const nodes = builder.nodes;
  builder.time(BASE_TIME_US + index * TRACE_SPACING_US + rng.int(0, TRACE_SPACING_US - 1));

  // Span IDs, unique within the trace.
  const ids = new Set();
  for (const node of nodes) {
    let id = rng.hex(16);
    while (ids.has(id)) {
      id = rng.hex(16);
    }
    ids.add(id);
    node.id = id;
  }
  for (const node of nodes) {
    node.parentID = node.parent === null ? '' : node.parent.id;
  }
  if (nodes.length > 1 && rng.chance(cfg.orphans)) {
    const victim = nodes[rng.int(1, nodes.length - 1)];
    let missing = rng.hex(16);
    while (ids.has(missing)) {
      missing = rng.hex(16);
    }
    victim.parentID = missing;
  }

  // One process per service in the trace, numbered in order of first appearance; a random instance each.
  const processes = {};
  const processBySvc = new Map();
  const instanceBySvc = new Map();
  for (const node of nodes) {
    if (!processBySvc.has(node.svc)) {
      const service = world.services[node.svc];
      const instance = rng.pick(service.instances);
      const processID = `p${processBySvc.size + 1}`;
      processBySvc.set(node.svc, processID);
      instanceBySvc.set(node.svc, instance);
      processes[processID] = {
        serviceName: service.name,
        tags: [tag('host.name', instance.host), tag('ip', instance.ip)],
      };
    }
  }

  const spans = nodes.map((node) => ({
    traceID,
    spanID: node.id,
    operationName: node.op.name,
    references: node.parent === null ? [] : [{ refType: node.ref, traceID, spanID: node.parentID }],
    startTime: node.start,
    duration: node.dur,
    tags: spanTags(node, rng, world, instanceBySvc.get(node.svc)),
    logs: [],
    processID: processBySvc.get(node.svc),
    warnings: null,
    flags: 1,
  }));
  rng.shuffle(spans);
  return { traceID, spans, processes, warnings: null };
}

/**
 * Yield trace objects (Jaeger query API shape). Options as in DEFAULTS, plus `first` (index of the first trace,
 * default 0) and `count` (default: all remaining up to `traces`). Use Array.from(...) for an array.
 */
export function* generateTraces(options = {}) {
  const { first = 0, count, ...rest } = options;
  const cfg = resolveOptions(rest);
  if (
    !Number.isSafeInteger(first) ||
    first < 0 ||
    (count !== undefined && (!Number.isSafeInteger(count) || count < 0))
  ) {
    throw new Error(`first and count must be non-negative integers, got ${first} and ${count}`);
  }
  const world = createWorld(cfg);
  const end = count === undefined ? cfg.traces : Math.min(cfg.traces, first + count);
  for (let i = first; i < end; i++) {
    yield generateTrace(cfg, world, i);
  }
}

/** The "_generator" record: seed, counts, shape and the planted hotspot. */
export function generatorInfo(options = {}) {
  const cfg = resolveOptions(options);
  return describe(cfg, createWorld(cfg));
}

function describe(cfg, world) {
  const hotspot = world.hotspot;
  return {
    seed: cfg.seed,
    traces: cfg.traces,
    spans: cfg.spans,
    shape: cfg.shape,
    hotspot:
      hotspot === null
        ? null
        : {
            service: world.services[hotspot.svc].name,
            operation: hotspot.op.name,
            fraction: cfg.hotspot,
            extraSelfTimeUs: HOTSPOT_EXTRA_US,
          },
    options: {
      services: cfg.services,
      ops: cfg.ops,
      fanout: cfg.fanout,
      parallel: cfg.parallel,
      async: cfg.async,
      skew: cfg.skew,
      orphans: cfg.orphans,
      errors: cfg.errors,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Files

/** Write one JSON file for traces [first, end), streaming trace by trace. Returns the byte count. */
function writeFile(file, cfg, world, info, first, end, shardIndex) {
  const hotspotTraceIDs = [];
  for (let i = first; i < end; i++) {
    const header = traceHeader(cfg, world, i);
    if (header.hot) {
      hotspotTraceIDs.push(header.traceID);
    }
  }
  const generator = { ...info, file: { shard: shardIndex, firstTrace: first, traces: end - first, hotspotTraceIDs } };
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let buffer = '';
  const flush = () => {
    bytes += fs.writeSync(fd, buffer);
    buffer = '';
  };
  try {
    buffer += `{"_generator":${JSON.stringify(generator)},"data":[`;
    for (let i = first; i < end; i++) {
      buffer += (i === first ? '\n' : ',\n') + JSON.stringify(generateTrace(cfg, world, i));
      if (buffer.length >= 1 << 20) {
        flush();
      }
    }
    buffer += '\n]}\n';
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/**
 * Write traces to `out`: one file, or with `shard` = K one file per K traces (traces-0000.json, …) in directory `out`.
 * Returns { files, bytes, info }.
 */
export function writeTraces(options) {
  const { out, shard, ...rest } = options;
  if (!out) {
    throw new Error('--out is required');
  }
  const cfg = resolveOptions(rest);
  const world = createWorld(cfg);
  const info = describe(cfg, world);
  const files = [];
  let bytes = 0;
  if (shard === undefined) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    bytes += writeFile(out, cfg, world, info, 0, cfg.traces, 0);
    files.push(out);
  } else {
    if (!Number.isSafeInteger(shard) || shard < 1) {
      throw new Error(`--shard must be an integer >= 1, got ${shard}`);
    }
    fs.mkdirSync(out, { recursive: true });
    const shardCount = Math.ceil(cfg.traces / shard);
    const width = Math.max(4, String(shardCount - 1).length);
    for (let k = 0; k < shardCount; k++) {
      const file = path.join(out, `traces-${String(k).padStart(width, '0')}.json`);
      bytes += writeFile(file, cfg, world, info, k * shard, Math.min(cfg.traces, (k + 1) * shard), k);
      files.push(file);
    }
    const stale = fs
      .readdirSync(out)
      .filter((name) => /^traces-\d+\.json$/.test(name) && !files.includes(path.join(out, name)));
    if (stale.length > 0) {
      process.stderr.write(`warning: ${out} also holds ${stale.length} older shard file(s), e.g. ${stale[0]}\n`);
    }
  }
  return { files, bytes, info };
}

// ---------------------------------------------------------------------------------------------------------------------
// CLI

const USAGE = `Usage: node bench/generate.mjs --out=<file-or-dir> [options]

  --seed=N          PRNG seed (default ${DEFAULTS.seed})
  --traces=N        number of traces (default ${DEFAULTS.traces}; 1 for chain/wide/huge)
  --spans=N         spans per trace, exact (default ${DEFAULTS.spans}; chain 5000, wide 20000, huge 80000)
  --shape=S         normal | chain | wide | huge (default normal)
  --shard=K         write one file per K traces into the --out directory (traces-0000.json, ...)
  --orphans=P       per-trace probability that one span's parent reference points outside the trace (default 0)
  --hotspot=P       fraction of traces where the hotspot operation gets +20 ms self time (default ${DEFAULTS.hotspot})
  --services=N      services in the world (default ${DEFAULTS.services})
  --ops=N           HTTP operations per service (default ${DEFAULTS.ops})
  --fanout=N        max children per span (default ${DEFAULTS.fanout}; 32 for huge)
  --parallel=P      probability that a stage holds several parallel calls (default ${DEFAULTS.parallel})
  --async=P         probability that a call is PRODUCER + CONSUMER (default ${DEFAULTS.async})
  --skew=P          probability that a SERVER subtree is clock-skewed (default ${DEFAULTS.skew})
  --errors=P        per-span error probability (default ${DEFAULTS.errors})
`;

const NUMERIC_FLAGS = [
  'seed',
  'traces',
  'spans',
  'shard',
  'orphans',
  'hotspot',
  'services',
  'ops',
  'fanout',
  'parallel',
  'async',
  'skew',
  'errors',
];

function parseArgs(argv) {
  const options = {};
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      return null;
    }
    const match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (!match) {
      throw new Error(`cannot parse argument '${arg}' (use --name=value)`);
    }
    const [, key, raw] = match;
    if (key === 'out' || key === 'shape') {
      options[key] = raw;
    } else if (NUMERIC_FLAGS.includes(key)) {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        throw new Error(`--${key} needs a number, got '${raw}'`);
      }
      options[key] = value;
    } else {
      throw new Error(`unknown option --${key}`);
    }
  }
  return options;
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === null) {
    process.stdout.write(USAGE);
    return;
  }
  const started = process.hrtime.bigint();
  let result;
  try {
    result = writeTraces(options);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { info, files, bytes } = result;
  const hotspot =
    info.hotspot && info.hotspot.fraction > 0
      ? `${info.hotspot.service} / ${info.hotspot.operation} in ~${info.hotspot.fraction} of traces`
      : 'none';
  process.stderr.write(
    `wrote ${info.traces} trace(s) x ${info.spans} spans (${info.shape}, seed ${info.seed}) to ${files.length} file(s), ` +
      `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s; hotspot: ${hotspot}\n`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
