// Types for the parts of generate.mjs (plain JavaScript) that TypeScript benchmarks import.
import type { JaegerTrace } from '../src/testing/grafanaFrames';

export interface GenerateOptions {
  seed?: number;
  traces?: number;
  spans?: number;
  shape?: 'normal' | 'chain' | 'wide' | 'huge';
  orphans?: number;
  first?: number;
  count?: number;
  [option: string]: unknown;
}

/** Jaeger query API traces, one at a time (see generate.mjs). */
export function generateTraces(options?: GenerateOptions): Generator<JaegerTrace & { warnings: null }>;
