// Telemetry first: the instrumentations patch express and pino when the server module requires them.
import { startTelemetry } from '../lib/telemetry';

const telemetry = startTelemetry('frontend');
import('./server')
  .then(({ main }) => main(telemetry))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
