/**
 * The width, in columns, that the table is laid out in: `COLUMNS` when it holds a width (the user's explicit choice,
 * as for `ls`), else the terminal's own width when stdout is one, else none — output piped to a file or another
 * program keeps every column.
 */
export function terminalWidth(
  env: Record<string, string | undefined>,
  stdout: { isTTY?: boolean; columns?: number }
): number | undefined {
  const fromEnv = env.COLUMNS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv) && Number(fromEnv) > 0) {
    return Number(fromEnv);
  }
  return stdout.isTTY === true && stdout.columns !== undefined && stdout.columns > 0 ? stdout.columns : undefined;
}
