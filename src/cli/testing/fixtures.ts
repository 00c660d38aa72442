import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  analyzeTrace,
  compareSlowToBaseline,
  HotspotAggregator,
  OperationTable,
  readTraceText,
  whatIf,
} from '../../engine';
import type { CompareOption, WhatIfOption } from '../args';
import { AnalysisResult, tracePath, TracePath } from '../result';

/** The repository root (/work/main): this file is src/cli/testing/fixtures.ts. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Recorded public traces in test/fixtures (see their README for origins and licences). */
export const FIXTURES = path.resolve(REPO_ROOT, 'test/fixtures');

export function fixture(relative: string): string {
  return path.join(FIXTURES, relative);
}

export const SMARTTHINGS = fixture('jaeger/zipkin-smartthings-mobile-web-install.jaeger.json');

export interface FixtureAnalysisOptions {
  window?: 'root' | 'full';
  asyncBlocking?: boolean;
  criticalPaths?: boolean;
  compare?: CompareOption;
  whatIf?: WhatIfOption;
}

/** What `hotpath analyze` would compute for these fixture files, built with the engine alone (no CLI I/O). */
export function analyzeFixtures(files: string[], options: FixtureAnalysisOptions = {}): AnalysisResult {
  const window = options.window ?? 'root';
  const asyncBlocking = options.asyncBlocking ?? false;
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  const paths: TracePath[] = [];
  const result: Omit<AnalysisResult, 'report'> = {
    files: files.length,
    window,
    asyncBlocking,
    problems: [],
    duplicateTraceIds: 0,
  };
  for (const file of files) {
    const { traces, problems } = readTraceText(readFileSync(file, 'utf8'), operations, file);
    result.problems.push(...problems);
    for (const trace of traces) {
      const analysis = analyzeTrace(trace, { window, asyncBlocking });
      aggregator.add(analysis);
      paths.push(tracePath(analysis, operations));
    }
  }
  const records = aggregator.traceRecords();
  const full: AnalysisResult = { ...result, report: aggregator.report() };
  if (options.criticalPaths) {
    full.criticalPaths = paths;
  }
  if (options.compare !== undefined) {
    full.comparison = {
      option: options.compare,
      result: compareSlowToBaseline(records, operations, options.compare.split),
    };
  }
  if (options.whatIf !== undefined) {
    const { service, operation, reduction } = options.whatIf;
    const projection = whatIf(records, operations, service, operation, reduction);
    if (projection === null) {
      throw new Error(`no operation ${service}::${operation} in the fixtures`);
    }
    full.whatIf = projection;
  }
  return full;
}
