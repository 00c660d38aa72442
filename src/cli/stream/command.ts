/** `hotpath stream …` from the CLI's entry point (main.ts): usage errors, help, then the long-running process. */
import { UsageError } from '../args';
import { parseStreamCommandLine, STREAM_USAGE } from './args';
import { runStream, type StreamIo } from './run';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

export async function streamMain(
  argv: readonly string[],
  io: StreamIo & { stdout: StreamIo['stderr'] }
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(STREAM_USAGE);
    return EXIT_OK;
  }
  try {
    return await runStream(parseStreamCommandLine(argv), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`hotpath: ${error.message}\nRun "hotpath stream --help" for usage.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
