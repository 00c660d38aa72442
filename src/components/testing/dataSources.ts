/**
 * Test-only: a `DataSourceSrv` that lists a few data sources the way Grafana's boot data does — enough for
 * `DataSourcePicker` (list, look-up by uid or name) and for the link builders (type, jsonData).
 */
import type { DataSourceInstanceSettings } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';

export interface TestDataSource {
  uid: string;
  type: string;
  name: string;
  jsonData?: Record<string, unknown>;
}

export const TEST_DATA_SOURCES: TestDataSource[] = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'jaeger-eu', type: 'jaeger', name: 'Jaeger EU' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
  { uid: 'loki-archive', type: 'loki', name: 'Loki archive' },
  { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' },
];

export function installDataSources(list: TestDataSource[] = TEST_DATA_SOURCES): void {
  const settings = list.map(
    (ds) =>
      ({
        id: 0,
        uid: ds.uid,
        type: ds.type,
        name: ds.name,
        jsonData: ds.jsonData ?? {},
        access: 'proxy',
        readOnly: false,
        meta: { id: ds.type, name: ds.type, type: 'datasource', info: { logos: { small: '', large: '' } } },
      }) as unknown as DataSourceInstanceSettings
  );
  const find = (ref: unknown) => {
    const key = typeof ref === 'string' ? ref : (ref as { uid?: string } | null | undefined)?.uid;
    return settings.find((s) => s.uid === key || s.name === key);
  };
  const srv = {
    getInstanceSettings: find,
    getList: (filters: { type?: string | string[] } = {}) =>
      settings.filter(
        (s) => !filters.type || (Array.isArray(filters.type) ? filters.type.includes(s.type) : s.type === filters.type)
      ),
    get: (ref: unknown) => {
      const found = find(ref);
      return found ? Promise.resolve(found) : Promise.reject(new Error(`Data source ${String(ref)} not found`));
    },
    reload: () => Promise.resolve(),
    registerRuntimeDataSource: () => undefined,
  };
  setDataSourceSrv(srv as unknown as DataSourceSrv);
}
