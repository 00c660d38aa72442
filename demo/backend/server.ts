import { ConfigError, envPort, envString } from '../lib/env';
import { boundPort, handleShutdown, listen } from '../lib/lifecycle';
import { createLogger } from '../lib/logger';
import type { Telemetry } from '../lib/telemetry';
import { createBackend } from './app';
import { describeFaults, FaultSpecError, parseFaults } from './faults';
import { Store } from './store';

export async function main(telemetry: Telemetry): Promise<void> {
  const logger = createLogger('backend');
  let port: number;
  let faults;
  try {
    port = envPort(process.env, 'PORT', 8081);
    faults = parseFaults(process.env.DEMO_FAULTS ?? '');
  } catch (error) {
    if (error instanceof ConfigError || error instanceof FaultSpecError) {
      logger.fatal(error instanceof FaultSpecError ? `DEMO_FAULTS: ${error.message}` : error.message);
      await telemetry.shutdown();
      process.exit(2);
    }
    throw error;
  }
  const redisUrl = envString(process.env, 'REDIS_URL', 'redis://localhost:6379');
  const adminToken = process.env.DEMO_ADMIN_TOKEN?.trim() || undefined;
  const store = new Store(redisUrl, logger);
  const { app } = createBackend({ store, logger, faults, adminToken });
  const server = await listen(app, port);
  logger.info(
    {
      port: boundPort(server),
      redis: new URL(redisUrl).host,
      faults: describeFaults(faults),
      admin: adminToken ? 'on' : 'off (DEMO_ADMIN_TOKEN not set)',
    },
    'backend listening'
  );
  handleShutdown({ server, logger, telemetry, close: () => store.close() });
}
