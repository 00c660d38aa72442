import { Alert } from '@grafana/ui';
import React from 'react';

import type { UserFacingError } from '../../data/types';

/** Every failure gets words: what failed and what to do. Never a blank panel. */
export function ErrorMessage({ error }: { error: UserFacingError }) {
  return (
    <Alert severity="error" title={error.title} data-testid="hotpath-error">
      {error.message}
      {error.status !== undefined && ` (HTTP ${error.status})`}
    </Alert>
  );
}

export function EmptyMessage() {
  return (
    <Alert severity="info" title="No traces to analyse" data-testid="hotpath-empty">
      The query found no traces in this time range. Widen the time range, or check the service and filters of the Jaeger
      search.
    </Alert>
  );
}
