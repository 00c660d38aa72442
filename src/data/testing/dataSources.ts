/**
 * Test-only: a `DataSourceSrv` that knows a few data sources, as Grafana's boot data would list them
 * (`getInstanceSettings(uid)` → `{uid, name, type, jsonData}`), so link building and pre-checks can be tested.
 */
import type { DataSourceInstanceSettings } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';

export interface KnownDataSource {
  uid: string;
  type: string;
  name?: string;
  jsonData?: Record<string, unknown>;
}

export function installDataSources(known: KnownDataSource[]): void {
  const byUid = new Map(known.map((ds) => [ds.uid, ds]));
  const srv = {
    getInstanceSettings: (ref?: string | { uid?: string } | null) => {
      const uid = typeof ref === 'string' ? ref : ref?.uid;
      const ds = uid ? byUid.get(uid) : undefined;
      return ds
        ? ({
            uid: ds.uid,
            type: ds.type,
            name: ds.name ?? ds.uid,
            jsonData: ds.jsonData ?? {},
          } as unknown as DataSourceInstanceSettings)
        : undefined;
    },
    getList: () => [],
    get: () => Promise.reject(new Error('not in tests')),
    reload: () => undefined,
    registerRuntimeDataSource: () => undefined,
  };
  setDataSourceSrv(srv as unknown as DataSourceSrv);
}
