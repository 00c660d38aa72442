import { Readable } from 'node:stream';

import { main } from '../main';

/** One run of the CLI's `main` in this process, with stdin given as text and stdout/stderr collected. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function hotpath(argv: string[], stdin = '', internals?: Parameters<typeof main>[2]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Readable.from([Buffer.from(stdin, 'utf8')]),
    },
    internals
  );
  return { code, stdout, stderr };
}
