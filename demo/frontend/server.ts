import path from 'node:path';
import { ConfigError, envPort, envString, envUrl, joinUrl } from '../lib/env';
import { boundPort, handleShutdown, listen } from '../lib/lifecycle';
import { createLogger } from '../lib/logger';
import type { Telemetry } from '../lib/telemetry';
import { createFrontend } from './app';

/** Where the SDK would send traces: the per-signal URL as given, else the base endpoint + /v1/traces. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): URL {
  const perSignal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (perSignal) {
    return envUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', perSignal);
  }
  const base = envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4318');
  return envUrl({ URL: joinUrl(base, 'v1/traces') }, 'URL', '');
}

export async function main(telemetry: Telemetry): Promise<void> {
  const logger = createLogger('frontend');
  let options;
  let port: number;
  try {
    port = envPort(process.env, 'PORT', 8080);
    options = {
      logger,
      backendUrl: envUrl(process.env, 'BACKEND_URL', 'http://localhost:8081'),
      otlpTracesUrl: otlpTracesUrl(process.env),
      publicDir: process.env.PUBLIC_DIR ?? path.join(__dirname, 'public'),
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      await telemetry.shutdown();
      process.exit(2);
    }
    throw error;
  }
  const server = await listen(createFrontend(options), port);
  logger.info(
    { port: boundPort(server), backend: options.backendUrl.origin, otlp: options.otlpTracesUrl.href },
    'frontend listening'
  );
  handleShutdown({ server, logger, telemetry });
}
