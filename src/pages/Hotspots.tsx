import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { testIds } from '../components/testIds';

function Hotspots() {
  return (
    <PluginPage>
      <div data-testid={testIds.hotspots.container}>
        <Alert severity="info" title="Hotspots are not available yet">
          The hotspot page, which ranks (service, operation) pairs by the latency they add to requests, arrives with the
          panel/app issue. Until then this page shows no data.
        </Alert>
      </div>
    </PluginPage>
  );
}

export default Hotspots;
