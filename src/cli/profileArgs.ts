/** Output formats that draw the critical path by calling context (a flame graph) instead of ranking operations. */
export const PROFILE_FORMATS = ['folded', 'speedscope'] as const;
export type ProfileFormat = (typeof PROFILE_FORMATS)[number];

export function isProfileFormat(format: string): format is ProfileFormat {
  return (PROFILE_FORMATS as readonly string[]).includes(format);
}

/** Options that shape the ranking's output, which a flame graph has no place for. */
const RANKING_ONLY = ['top', 'by', 'compare', 'what-if', 'critical-paths'] as const;

/**
 * A flame-graph format with a ranking option is a mistake worth saying, not an option silently ignored: the
 * message for it, or undefined.
 */
export function profileOptionsMistake(format: string, values: Partial<Record<string, unknown>>): string | undefined {
  const given = isProfileFormat(format) ? RANKING_ONLY.filter((name) => values[name] !== undefined) : [];
  if (given.length === 0) {
    return undefined;
  }
  const list = given.map((name) => `--${name}`).join(', ');
  return `--format ${format} writes a flame graph: ${list} ${given.length > 1 ? 'apply' : 'applies'} only to --format table or json`;
}
