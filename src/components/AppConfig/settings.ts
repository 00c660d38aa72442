import { clampMaxTraces, DEFAULT_MAX_TRACES } from '../../state/limits';

/**
 * The app's settings, kept in its `jsonData` (Configuration page, or provisioning/plugins/apps.yaml):
 * the data sources the pages use by default, and the trace limit.
 */
export interface AppSettings {
  jaegerUid?: string;
  lokiUid?: string;
  prometheusUid?: string;
  maxTraces?: number;
}

/** Settings as the pages use them: data source uids only when set, maxTraces always, within its limits. */
export interface ResolvedAppSettings {
  jaegerUid?: string;
  lokiUid?: string;
  prometheusUid?: string;
  maxTraces: number;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** Reads whatever `jsonData` holds (hand-edited provisioning included) without trusting its types. */
export function readAppSettings(jsonData: unknown): ResolvedAppSettings {
  const data = (typeof jsonData === 'object' && jsonData !== null ? jsonData : {}) as Record<string, unknown>;
  const max = typeof data.maxTraces === 'number' ? data.maxTraces : Number(data.maxTraces);
  return {
    jaegerUid: text(data.jaegerUid),
    lokiUid: text(data.lokiUid),
    prometheusUid: text(data.prometheusUid),
    maxTraces: Number.isFinite(max) && max > 0 ? clampMaxTraces(max) : DEFAULT_MAX_TRACES,
  };
}
