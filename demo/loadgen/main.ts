import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatDuration } from '../lib/duration';
import { ConfigError } from '../lib/env';
import { loadConfig } from './config';
import { applyFault, formatSummary, runLoad } from './loadgen';

/** In the temp directory; the image's HEALTHCHECK reads it. */
const HEARTBEAT_FILE = 'hotpath-loadgen.heartbeat';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`loadgen: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (config.fault) {
    try {
      await applyFault(config.fault);
      console.log(`loadgen: fault switched on: ${config.fault.spec}`);
    } catch (error) {
      console.error(
        `loadgen: could not switch fault ${JSON.stringify(config.fault.spec)}: ${error instanceof Error ? error.message : String(error)}`
      );
      return 1;
    }
  }
  // For the container healthcheck: the file's modification time says the generator is alive.
  const heartbeatFile = path.join(os.tmpdir(), HEARTBEAT_FILE);
  let heartbeatFailed = false;
  const beat = () => {
    try {
      writeFileSync(heartbeatFile, `${new Date().toISOString()}\n`);
    } catch (error) {
      // Only the healthcheck needs it: say so once and go on generating load.
      if (!heartbeatFailed) {
        heartbeatFailed = true;
        console.error(
          `loadgen: cannot write ${heartbeatFile}: ${error instanceof Error ? error.message : String(error)}`
        );
      }
    }
  };
  beat();
  const heartbeat = setInterval(beat, 1000);
  heartbeat.unref();
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  console.log(
    `loadgen: ${config.rate} req/s, at most ${config.concurrency} in flight, for ${formatDuration(config.durationMs)} against ${config.target.href}`
  );
  const summary = await runLoad(config, stop.signal);
  console.log(formatSummary(summary));
  if (process.env.OUTPUT === 'json') {
    console.log(JSON.stringify(summary));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  }
);
