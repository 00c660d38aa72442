/**
 * Which requests the public frontend forwards to the backend, and to which backend path.
 *
 * The backend serves more than the API: its admin endpoint (`/admin/faults`) and `/metrics` must never be reachable
 * through the frontend. So only the routes in FORWARDED_ROUTES go through, and only in their one plain spelling:
 * the request target is checked as it arrived (before any decoding or normalisation), and everything that a URL
 * parser, a proxy or the backend might resolve to another path — dot segments, percent-encoding (`%2e`, `%2f`,
 * `%5c`, …), backslashes (WHATWG URL parsing treats `\` as `/`), empty segments, absolute-form targets
 * (`GET http://other-host/api/visits`, which would make the frontend an open proxy) — is refused with 400 before
 * the allow-list is even consulted. The backend URL is then built from the checked path alone, never by resolving
 * the client's target against the backend's origin.
 */
export const FORWARDED_ROUTES: readonly string[] = ['/api/visits', '/api/checkout'];

export type ApiTarget = { ok: true; path: string; query: string } | { ok: false; status: 400 | 404; error: string };

/**
 * True for a request target the frontend must treat as an API call (and so check): anything that starts with `/api`
 * in any letter case (`/api/…`, `/API/…`, `/api%2f…`, `/api\…`, `/api?…`), so no spelling slips past to be served
 * as a static file either.
 */
export function isApiTarget(rawTarget: string): boolean {
  return /^\/api/i.test(rawTarget);
}

/** True for an origin-form target (`/path?query`): not absolute-form, not `//host/…` or `/\\host/…`. */
export function isPathTarget(rawTarget: string): boolean {
  return /^\/(?![/\\])/.test(rawTarget);
}

const refuse = (error: string): ApiTarget => ({ ok: false, status: 400, error });

/** Checks a raw request target (`request.originalUrl`) and returns the backend path and query to forward it to. */
export function apiTarget(rawTarget: string): ApiTarget {
  if (!isPathTarget(rawTarget)) {
    return refuse('the request target must be a path starting with a single "/"');
  }
  const queryAt = rawTarget.indexOf('?');
  const path = queryAt < 0 ? rawTarget : rawTarget.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rawTarget.slice(queryAt);
  if (path.includes('\\')) {
    return refuse('backslashes are not allowed in API paths');
  }
  if (path.includes('%')) {
    // The API's paths are plain ASCII: an encoded character can only be an attempt to smuggle a `.`, `/` or `\`.
    return refuse('percent-encoded characters are not allowed in API paths');
  }
  const segments = path.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return refuse('"." and ".." path segments are not allowed in API paths');
  }
  if (segments.slice(0, -1).some((segment) => segment === '')) {
    return refuse('empty path segments ("//") are not allowed in API paths');
  }
  if (!FORWARDED_ROUTES.includes(path)) {
    return { ok: false, status: 404, error: `no API route ${path}; the API is ${FORWARDED_ROUTES.join(', ')}` };
  }
  return { ok: true, path, query };
}
