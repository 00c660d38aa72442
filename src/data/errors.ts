import { isFetchError } from '@grafana/runtime';
import { TimeoutError } from 'rxjs';
import type { UserFacingError } from './types';

/**
 * Turns whatever Grafana's `BackendSrv.fetch` throws into words for the user, and decides whether the failure ends
 * the whole run (`fatal`: no later request can succeed — signed out, no permission, data source gone, Grafana
 * unreachable) or only the request it happened to (`fatal: false`: a 5xx or a timeout of one batch, whose traces are
 * then counted as failed while the other batches go on).
 *
 * Shapes relied on (grafana/grafana `public/app/core/services/backend_srv.ts`, `processRequestError` and
 * `handleStreamCancellation`): an HTTP error is a `FetchError` `{status, statusText, data}` whose `data` is an object
 * with `message` (the server's JSON body, or `{message: <text body>}`); a network failure is the `TypeError` from
 * `fetch()` with `data = {message: 'Unexpected error'}` and no `status`; a request Grafana cancels itself is
 * `{cancelled: true, status: -1}`. Server side (pkg/api/metrics.go `handleQueryMetricsError`): unknown data source
 * → 404 "Data source not found", no access → 403 "Access denied to data source", plugin missing → 404 "Plugin not
 * found", anything else → 500 "Query data error" (newer versions: the errutil status and public message).
 */
export class HotpathError extends Error {
  constructor(
    readonly userError: UserFacingError,
    readonly fatal = true
  ) {
    super(`${userError.title}: ${userError.message}`);
    this.name = 'HotpathError';
  }
}

export interface ErrorContext {
  /** What was asked, for the title: e.g. 'Jaeger data source', 'Loki data source'. */
  target: string;
  uid?: string;
  /** The client-side timeout that expired, when it was ours. */
  timeoutMs?: number;
}

export interface ClassifiedError {
  error: UserFacingError;
  fatal: boolean;
}

export function classifyError(err: unknown, context: ErrorContext): ClassifiedError {
  if (err instanceof HotpathError) {
    return { error: err.userError, fatal: err.fatal };
  }
  const named = context.uid ? `the ${context.target} "${context.uid}"` : `the ${context.target}`;
  if (err instanceof TimeoutError) {
    const ms = context.timeoutMs;
    const seconds = ms === undefined ? '' : ms < 1000 ? ` within ${ms} ms` : ` within ${Math.round(ms / 1000)} s`;
    return {
      fatal: false,
      error: {
        title: 'Request timed out',
        message: `Grafana did not answer a query to ${named}${seconds}. The data source may be overloaded; try a shorter time range or fewer traces.`,
      },
    };
  }
  if (isFetchError(err)) {
    return classifyHttpError(err.status, backendMessage(err) ?? err.statusText ?? '', err.cancelled === true, named);
  }
  if (isNetworkError(err)) {
    return {
      fatal: true,
      error: {
        title: 'Grafana server unreachable',
        message: `The browser could not reach Grafana (${errorText(err)}). Check your network connection and that Grafana is running, then reload.`,
      },
    };
  }
  return { fatal: true, error: { title: 'Unexpected error', message: errorText(err) } };
}

function classifyHttpError(status: number, detail: string, cancelled: boolean, named: string): ClassifiedError {
  const because = detail ? ` Grafana said: “${detail}”.` : '';
  if (cancelled || status === -1) {
    return {
      fatal: false,
      error: { title: 'Request cancelled', message: `Grafana cancelled a query to ${named}.` },
    };
  }
  if (/data ?source not found/i.test(detail)) {
    return {
      fatal: true,
      error: {
        title: 'Data source not found',
        message: `Grafana has no ${named.replace(/^the /, '')}, or you cannot see it. Pick another data source.`,
        status,
      },
    };
  }
  if (status === 401) {
    return {
      fatal: true,
      error: {
        title: 'Not signed in (401)',
        message: `Grafana refused the query to ${named}: your session may have expired. Sign in again and reload.${because}`,
        status,
      },
    };
  }
  if (status === 403) {
    return {
      fatal: true,
      error: {
        title: 'Access denied (403)',
        message: `You may not query ${named}. Ask an administrator for query permission on it.${because}`,
        status,
      },
    };
  }
  if (status === 404) {
    const plugin = /plugin not found/i.test(detail);
    return {
      fatal: true,
      error: {
        title: plugin ? 'Data source plugin not found (404)' : 'Not found (404)',
        message: plugin
          ? `Grafana has no plugin to run ${named}; it may be disabled or not installed.${because}`
          : `Grafana could not find what the query to ${named} asked for.${because}`,
        status,
      },
    };
  }
  if (status === 408 || status === 504 || /time(d)? ?out|deadline exceeded/i.test(detail)) {
    return {
      fatal: false,
      error: {
        title: `Request timed out${status > 0 ? ` (${status})` : ''}`,
        message: `${capitalize(named)} did not answer in time.${because} Try a shorter time range or fewer traces.`,
        status,
      },
    };
  }
  if (status === 429) {
    return {
      fatal: false,
      error: { title: 'Too many requests (429)', message: `Grafana is rate-limiting queries.${because}`, status },
    };
  }
  if (status >= 500) {
    return {
      fatal: false,
      error: {
        title: `Query failed (${status})`,
        message: `The query to ${named} failed on the server.${because || ' The server gave no reason.'}`,
        status,
      },
    };
  }
  if (status > 0) {
    return {
      fatal: true,
      error: {
        title: `Query rejected (${status})`,
        message: `Grafana rejected the query to ${named}.${because}`,
        status,
      },
    };
  }
  return {
    fatal: true,
    error: {
      title: 'Grafana server unreachable',
      message: `The browser got no answer from Grafana for the query to ${named}.${because}`,
    },
  };
}

/** The server's own words: `data.message`, or `data.error` when the message is the generic "Query data error". */
export function backendMessage(err: { data?: unknown; message?: string }): string | undefined {
  const data = err.data;
  if (typeof data === 'string' && data !== '') {
    return data;
  }
  if (typeof data === 'object' && data !== null) {
    const { message, error } = data as { message?: unknown; error?: unknown };
    if (typeof message === 'string' && message !== '' && message !== 'Unexpected error') {
      if (message === 'Query data error' && typeof error === 'string' && error !== '') {
        return error;
      }
      return message;
    }
    if (typeof error === 'string' && error !== '') {
      return error;
    }
  }
  return typeof err.message === 'string' && err.message !== '' ? err.message : undefined;
}

function isNetworkError(err: unknown): boolean {
  if (err instanceof TypeError) {
    return true;
  }
  const message = errorText(err);
  // Chromium, Firefox and Safari word a failed fetch() differently.
  return /failed to fetch|networkerror|load failed|network request failed/i.test(message);
}

export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.message || err.name;
  }
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
