import React from 'react';
import { PanelProps } from '@grafana/data';
import { Alert } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { HotspotsOptions } from './types';

type Props = PanelProps<HotspotsOptions>;

export function HotspotsPanel({ data }: Props) {
  const frames = data.series.length;

  return (
    <div data-testid={testIds.hotspotsPanel.container}>
      <Alert severity="info" title={`Received ${frames} data ${frames === 1 ? 'frame' : 'frames'}`}>
        The (service, operation) ranking arrives with the panel issue. This panel does not analyse the data yet.
      </Alert>
    </div>
  );
}
