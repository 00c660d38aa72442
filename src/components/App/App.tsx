import { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import React, { Suspense, useMemo } from 'react';
import { Route, Routes } from 'react-router-dom';

import { ROUTES } from '../../constants';
import { readAppSettings } from '../AppConfig/settings';

const Hotspots = React.lazy(() => import('../../pages/Hotspots'));
const Compare = React.lazy(() => import('../../pages/Compare'));
const Import = React.lazy(() => import('../../pages/Import'));

/** The app's pages (relative routes under /a/hotpath-latency-app/), each given the app's settings. */
function App({ meta }: AppRootProps) {
  const settings = useMemo(() => readAppSettings(meta.jsonData), [meta.jsonData]);
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
      <Routes>
        <Route path={ROUTES.Hotspots} element={<Hotspots settings={settings} />} />
        <Route path={ROUTES.Compare} element={<Compare settings={settings} />} />
        <Route path={ROUTES.Import} element={<Import settings={settings} />} />
        {/* Default page */}
        <Route path="*" element={<Hotspots settings={settings} />} />
      </Routes>
    </Suspense>
  );
}

export default App;
