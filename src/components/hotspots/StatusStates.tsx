import { Alert } from '@grafana/ui';
import React, { ReactNode } from 'react';

import type { UserFacingError } from '../../state/types';
import { testIds } from '../testIds';

/** Every failure gets words — what failed, why, what to do — never a blank panel. */
export function ErrorState({ error }: { error: UserFacingError }) {
  return (
    <Alert severity="error" title={error.title} data-testid={testIds.view.error}>
      {error.message}
      {/* The status, unless the title already says it ("Access denied (403)"). */}
      {error.status !== undefined && !error.title.includes(`(${error.status})`) && ` (HTTP ${error.status})`}
    </Alert>
  );
}

interface EmptyStateProps {
  title?: string;
  children?: ReactNode;
}

/** The query ran and found nothing to analyse: say so, and what to try. */
export function EmptyState({ title = 'No traces to analyse', children }: EmptyStateProps) {
  return (
    <Alert severity="info" title={title} data-testid={testIds.view.empty}>
      {children ??
        'The search found no traces in this time range. Widen the time range, or check the service, operation and tags of the Jaeger search.'}
    </Alert>
  );
}

/** Nothing asked yet (an app page before its first search). */
export function IdleState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Alert severity="info" title={title} data-testid={testIds.view.idle}>
      {children}
    </Alert>
  );
}

/** An app page with no Jaeger data source: neither chosen on the page nor set as the app's default. */
export function NoDataSourceState() {
  return (
    <IdleState title="Choose a Jaeger data source">
      Pick the Jaeger data source to search above, or set a default one on the app&apos;s Configuration page.
    </IdleState>
  );
}
