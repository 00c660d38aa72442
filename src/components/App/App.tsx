import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';
const Hotspots = React.lazy(() => import('../../pages/Hotspots'));

function App(props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Hotspots} element={<Hotspots />} />

      {/* Default page */}
      <Route path="*" element={<Hotspots />} />
    </Routes>
  );
}

export default App;
