/**
 * A real, throw-away Kafka broker (KRaft, one node that is broker and controller) on free loopback ports, from the
 * jars `npm run tools` copies into tools/kafka/lib (tools/kafka/pom.xml). Storage is formatted in a temp dir with a
 * random cluster ID, then `kafka.Kafka server.properties` runs; topics are created with Kafka's own kafka-topics
 * (org.apache.kafka.tools.TopicCommand), as the compose profile does. The settings are contracts.BROKER_SETTINGS
 * (those of compose's kafka service) plus loopback addresses; Kafka's config/server.properties for a single KRaft
 * node is the model (kafka.apache.org/documentation/#quickstart).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, Proc, spawnProc, waitFor } from '../../../demo/test/harness/process';
import { BROKER_SETTINGS } from '../../static/lib/contracts';
import { repoPath } from '../../static/lib/repo';

export const KAFKA_LIB = process.env.HOTPATH_KAFKA_LIB ?? repoPath('tools/kafka/lib');
const LOG4J2 = repoPath('tools/kafka/log4j2.properties');
const JAVA = process.env.JAVA ?? 'java';

function classpath(): string {
  if (!existsSync(KAFKA_LIB)) {
    throw new Error(`${KAFKA_LIB} is missing: run \`npm run tools\` (scripts/install-tools.mjs) first`);
  }
  return `${KAFKA_LIB}/*`;
}

/** The JVM options of every Kafka process here: bounded heap, our logging config, no GUI. */
function jvmArgs(heap: string): string[] {
  return [`-Xmx${heap}`, `-Xms${heap}`, '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${LOG4J2}`];
}

/** Runs a Kafka command-line class to completion; throws with its output when it fails. */
function runTool(mainClass: string, args: string[]): string {
  const result = spawnSync(JAVA, [...jvmArgs('256m'), '-cp', classpath(), mainClass, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(
      `${mainClass} ${args.join(' ')} failed (${result.status ?? result.error}):\n${output.slice(-4000)}`
    );
  }
  return output;
}

/** A Kafka cluster ID: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
export function randomClusterId(): string {
  // Kafka's own Uuid.randomUuid draws again when the text starts with '-': a command line would read it as an option
  // (StorageTool failed on `--cluster-id -9BT…` here once in a CI run).
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) {
      return id;
    }
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class KafkaBroker {
  private proc?: Proc;

  private constructor(
    readonly port: number,
    private readonly dir: string
  ) {}

  /** host:port for clients (the only listener clients see). */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Formats a fresh log dir and starts the broker; resolves once it has started and accepts connections. */
  static async start(): Promise<KafkaBroker> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-kafka-'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const properties = [
      ...Object.entries(BROKER_SETTINGS).map(([key, value]) => `${key}=${value}`),
      // Addresses and data: loopback ports and a temp dir here; compose sets its own (KAFKA_LISTENERS …).
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      `log.dirs=${path.join(dir, 'data')}`,
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'server.properties'), properties);
    const broker = new KafkaBroker(port, dir);
    try {
      runTool('kafka.tools.StorageTool', [
        'format',
        '--config',
        path.join(dir, 'server.properties'),
        '--cluster-id',
        randomClusterId(),
      ]);
      await broker.run();
    } catch (error) {
      await broker.dispose();
      throw error;
    }
    return broker;
  }

  private async run(): Promise<void> {
    const proc = spawnProc('kafka', JAVA, [
      ...jvmArgs('512m'),
      '-cp',
      classpath(),
      'kafka.Kafka',
      path.join(this.dir, 'server.properties'),
    ]);
    this.proc = proc;
    await waitFor(
      `kafka broker on ${this.bootstrap}`,
      async () => {
        if (!proc.running) {
          throw new Error(`kafka exited: ${JSON.stringify(await proc.exited)}\n${proc.tail(40)}`);
        }
        const started = proc.stdout.some((line) => line.includes('Kafka Server started'));
        return started && (await portOpen(this.port)) ? true : undefined;
      },
      120_000,
      250
    );
  }

  /** kafka-topics --create; the topic exists (with its leaders elected) when this returns. */
  createTopic(topic: string, partitions: number): void {
    runTool('org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server',
      this.bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      String(partitions),
      '--replication-factor',
      '1',
    ]);
  }

  /** kafka-topics --describe output, e.g. to read a topic's partitions. */
  describeTopic(topic: string): string {
    return runTool('org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server',
      this.bootstrap,
      '--describe',
      '--topic',
      topic,
    ]);
  }

  tail(lines = 40): string {
    return this.proc?.tail(lines) ?? '';
  }

  async stop(): Promise<void> {
    await this.proc?.stop('SIGTERM', 30_000);
  }

  /**
   * Starts the broker again after `stop()`: same ports, same log dir (its topics, messages and committed offsets), as
   * a restarted node would come back. Resolves once it accepts connections again.
   */
  async restart(): Promise<void> {
    if (this.proc?.running) {
      throw new Error('restart() after stop(): the broker is still running');
    }
    await this.run();
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
