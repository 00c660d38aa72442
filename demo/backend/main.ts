// Telemetry first: the instrumentations patch express, ioredis and pino when the server module requires them.
import { startTelemetry } from '../lib/telemetry';

const telemetry = startTelemetry('backend');
import('./server')
  .then(({ main }) => main(telemetry))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
