import { OTHER_CONTEXTS_FRAME, type ContextReport } from '../../engine';
import type { ProfileFormat } from '../profileArgs';
import type { AnalysisResult } from '../result';
import { plural } from '../units';
import { renderFolded } from './folded';
import { renderSpeedscope } from './speedscope';
import { coverageLines, isLowCoverage } from './table';

/**
 * A flame-graph format's output (stdout) and the warnings that belong beside it (stderr): tools read the output,
 * so what a person must know — low coverage, contexts folded for the limit — goes to stderr.
 */
export function renderProfile(
  format: ProfileFormat,
  contexts: ContextReport,
  result: AnalysisResult
): { stdout: string; warnings: string[] } {
  const stdout = format === 'folded' ? renderFolded(contexts) : renderSpeedscope(contexts, result.report.traces);
  const warnings: string[] = [];
  const coverage = coverageWarning(result);
  if (coverage !== undefined) {
    warnings.push(coverage);
  }
  const { overflow, maxContexts } = contexts;
  if (overflow.contexts > 0) {
    warnings.push(
      `more than ${maxContexts.toLocaleString('en-US')} distinct calling contexts: ` +
        `${plural(overflow.contexts, 'context')} of ${plural(overflow.traces, 'trace')} ` +
        `(${Math.round(overflow.criticalPathUs).toLocaleString('en-US')} µs of critical path) are shown under ` +
        `"${OTHER_CONTEXTS_FRAME}" by their last operation`
    );
  }
  return { stdout, warnings };
}

/** The low-coverage note as one line, for outputs that machines read (it then goes to stderr); else undefined. */
export function coverageWarning(result: AnalysisResult): string | undefined {
  return isLowCoverage(result.report)
    ? coverageLines(result)
        .map((line) => line.replace(/^!! /, ''))
        .join(' ')
    : undefined;
}
