/**
 * `hotpath stream`: a Kafka consumer-group member (kafkajs) that feeds the spans Jaeger's collector writes into
 * `OpenTraces`, analyses each trace once idle (`StreamMetrics.record`), commits offsets below its open traces and
 * below what the last scrape read (`ExportedOffsets`), and serves /metrics, /healthz and /readyz. All state is
 * local: replicas share nothing but the group.
 */
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type LogEntry } from 'kafkajs';

import type { StreamCommand } from './args';
import { CardinalityGuard } from './cardinality';
import { decodeMessage, MalformedMessageError } from './decode';
import { ExportedOffsets } from './exportedOffsets';
import { StreamMetrics } from './metrics';
import { OpenTraces, type Finalised } from './openTraces';

export interface StreamIo {
  stderr: { write(text: string): unknown };
}

/** How many finalised trace IDs are remembered per allowed open trace, to recognise late spans. */
const REMEMBERED_PER_OPEN_TRACE = 1;
const MIN_REMEMBERED = 10_000;
const FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024;
const FETCH_BYTES = 16 * 1024 * 1024;
/** How often a stopping consumer looks whether the final counts have been scraped. */
const SCRAPE_WAIT_POLL_MS = 50;

export class StreamProcess {
  private readonly metrics: StreamMetrics;
  private readonly open: OpenTraces;
  private readonly consumer: Consumer;
  private readonly server: Server;
  private assigned = new Set<number>();
  private readonly committed = new Map<number, number>();
  private readonly exported: ExportedOffsets;
  private joined = false;
  private stopping = false;
  private crashed = false;
  private tick?: NodeJS.Timeout;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly command: StreamCommand,
    private readonly io: StreamIo
  ) {
    this.metrics = new StreamMetrics(new CardinalityGuard(command.maxOperations));
    this.exported = new ExportedOffsets(command.commitUnscrapedAfterMs, performance.now());
    this.open = new OpenTraces({
      idleMs: command.traceIdleMs,
      maxOpen: command.maxOpenTraces,
      rememberFinalised: Math.max(MIN_REMEMBERED, command.maxOpenTraces * REMEMBERED_PER_OPEN_TRACE),
    });
    const kafka = new Kafka({
      clientId: 'hotpath-stream',
      brokers: command.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.log(`kafka ${entry.namespace}: ${entry.log.message}`),
    });
    this.consumer = kafka.consumer({
      groupId: command.group,
      allowAutoTopicCreation: false,
      // A replica that dies is replaced within this long (the broker's group.min.session.timeout.ms is 6 s).
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      // kafkajs fetches, processes the whole answer, then fetches again: larger answers (defaults 1 MiB per
      // partition, 10 MiB in all) mean fewer round trips spent idle. Bounds the memory a fetch can take.
      maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
      maxBytes: FETCH_BYTES,
    });
    this.server = createServer((request, response) => {
      const url = request.url ?? '/';
      if (request.method !== 'GET') {
        response.writeHead(405).end();
      } else if (url === '/metrics') {
        this.updateGauges();
        // Taken before the text is made: every trace below these offsets is in it (see exportedOffsets.ts).
        const snapshot = this.exported.snapshot(this.safeOffsets());
        this.metrics.registry.metrics().then(
          (text) =>
            response
              .writeHead(200, { 'content-type': this.metrics.registry.contentType })
              .end(text, () => this.exported.delivered(snapshot, performance.now())),
          () => response.writeHead(500).end()
        );
      } else if (url === '/healthz') {
        response
          .writeHead(this.crashed ? 503 : 200, { 'content-type': 'text/plain' })
          .end(this.crashed ? 'crashed\n' : 'ok\n');
      } else if (url === '/readyz') {
        const ready = this.joined && !this.stopping && !this.crashed;
        response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      } else {
        response.writeHead(404).end();
      }
    });
  }

  /** Starts serving and consuming; resolves once the consumer runs (not once it has joined: see /readyz). */
  async start(): Promise<void> {
    const { host, port } = this.command.listen;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (event) => this.onJoin(event.payload.memberAssignment[this.command.topic] ?? []));
    this.consumer.on(CRASH, (event) => {
      // Not ready until the group is joined again: kafkajs restarts the consumer after a retriable error (the broker
      // went away), and until then this replica reads nothing. Its open traces stay; the rejoin skips what was read.
      this.joined = false;
      if (!event.payload.restart) {
        this.crashed = true;
        this.log(`consumer crashed and will not restart: ${event.payload.error.message}`);
      }
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.command.topic], fromBeginning: this.command.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    const every = Math.max(50, Math.min(1000, this.command.traceIdleMs / 4));
    this.tick = setInterval(() => this.onTick(), every);
  }

  /** The port /metrics answers on (the one given, or the one picked for port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.command.listen.port;
  }

  private onJoin(partitions: number[]): void {
    const now = new Set(partitions);
    const revoked = [...this.assigned].filter((partition) => !now.has(partition));
    const { dropped, handedOverTraces } = this.open.dropPartitions(revoked);
    for (const trace of dropped) {
      this.metrics.countSpans('revoked', trace.spans);
    }
    this.metrics.handedOverTraces.inc(handedOverTraces);
    this.exported.revoke(revoked);
    for (const partition of revoked) {
      this.committed.delete(partition);
      this.metrics.removeLag(this.command.topic, partition);
    }
    this.assigned = now;
    this.metrics.assignedPartitions.set(now.size);
    this.joined = true;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) {
        return;
      }
      const offset = Number(message.offset);
      if (this.open.isNew(partition, offset)) {
        this.onMessage(partition, offset, message.value);
        this.open.markProcessed(partition, offset);
      }
      resolveOffset(message.offset);
    }
    const last = batch.messages.length > 0 ? Number(batch.lastOffset()) : undefined;
    if (last !== undefined) {
      this.metrics.setLag(this.command.topic, partition, Math.max(0, Number(batch.highWatermark) - 1 - last));
    }
    await heartbeat();
  }

  private onMessage(partition: number, offset: number, value: Buffer | null): void {
    let decoded;
    try {
      decoded = decodeMessage(value, this.command.encoding);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) {
        throw error;
      }
      this.metrics.countMessage('malformed');
      return;
    }
    this.metrics.countMessage('decoded');
    this.metrics.countSpans('malformed', decoded.malformedSpans);
    const now = performance.now();
    for (const fragment of decoded.fragments) {
      const { lateSpans, evicted } = this.open.add(partition, offset, fragment, now);
      this.metrics.countSpans('late', lateSpans);
      this.recordAll(evicted);
    }
  }

  private recordAll(finalised: Finalised[]): void {
    for (const trace of finalised) {
      try {
        this.metrics.record(trace);
      } catch (error) {
        // A bug must not stop the stream; the trace's spans are counted as malformed and the error reported.
        this.metrics.countSpans('malformed', trace.trace.spans);
        this.log(`trace ${trace.trace.traceId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private onTick(): void {
    this.recordAll(this.open.takeIdle(performance.now()));
    this.updateGauges();
    void this.commit();
  }

  private updateGauges(): void {
    this.metrics.openTraces.set(this.open.size);
    this.metrics.openSpans.set(this.open.spans);
    this.metrics.uncommittedTraces.set(this.open.uncommittedTraces);
  }

  /** Per assigned partition with processed messages: the offset below which every trace has been analysed. */
  private safeOffsets(): Map<number, number> {
    const safe = new Map<number, number>();
    for (const partition of this.assigned) {
      const offset = this.open.commitOffset(partition);
      if (offset !== undefined) {
        safe.set(partition, offset);
      }
    }
    return safe;
  }

  /** Commits each assigned partition as far as it is analysed and (unless nobody scrapes) exported; one at a time. */
  private commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const offsets = [];
      const now = performance.now();
      for (const [partition, safe] of this.safeOffsets()) {
        const offset = this.exported.commitLimit(partition, safe, now);
        if (offset !== undefined && offset > (this.committed.get(partition) ?? -1)) {
          offsets.push({ topic: this.command.topic, partition, offset: String(offset) });
        }
      }
      if (offsets.length === 0) {
        return;
      }
      try {
        await this.consumer.commitOffsets(offsets);
        for (const { partition, offset } of offsets) {
          this.committed.set(partition, Number(offset));
          this.open.committed(partition, Number(offset));
        }
      } catch (error) {
        // Typically a rebalance under way: the next tick commits for whatever is assigned then.
        this.log(`commit failed (retried): ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return this.committing;
  }

  /**
   * Graceful shutdown: stop reading, analyse every open trace, and commit once a scrape has read the final counts
   * (waiting up to --linger for it; without one, the successor replays those traces and counts them instead), leave
   * the group, and keep /metrics up for the rest of --linger.
   */
  async stop(): Promise<void> {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    clearInterval(this.tick);
    const lingerUntil = performance.now() + this.command.lingerMs;
    try {
      this.consumer.pause([{ topic: this.command.topic }]);
    } catch {
      // Not running (it crashed, or never joined): there is nothing to stop reading.
    }
    this.recordAll(this.open.takeAll());
    this.updateGauges();
    const deliveries = this.exported.deliveries;
    while (this.exported.deliveries === deliveries && performance.now() < lingerUntil) {
      await sleep(SCRAPE_WAIT_POLL_MS);
    }
    await this.commit();
    await this.consumer.disconnect();
    await sleep(Math.max(0, lingerUntil - performance.now()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private log(text: string): void {
    this.io.stderr.write(`hotpath stream: ${text.replace(/[\r\n]+/g, ' ')}\n`);
  }
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully. Resolves to the exit code. */
export async function runStream(command: StreamCommand, io: StreamIo): Promise<number> {
  const stream = new StreamProcess(command, io);
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void stream.stop().then(resolve, (error: unknown) => {
        io.stderr.write(`hotpath stream: shutdown: ${error instanceof Error ? error.message : String(error)}\n`);
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await stream.start();
  io.stderr.write(`hotpath stream: /metrics on ${command.listen.host}:${stream.port}, group ${command.group}\n`);
  await stopped;
  return 0;
}
