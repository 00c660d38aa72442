/**
 * Test-only: a `DataSourceSrv` that lists a few data sources the way Grafana's boot data does — enough for
 * `DataSourcePicker` (list, look-up by uid or name) and for the link builders (type, jsonData).
 */
import { PluginType, type DataSourceInstanceSettings } from '@grafana/data';
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

/**
 * A `DataSourceSrv` over `list`, each entry shaped as Grafana's boot data lists it. Used by the Jest tests
 * (installDataSources) and by the layer-1 e2e harness page (e2e/harness/main.tsx).
 */
export function testDataSourceSrv(list: TestDataSource[]): DataSourceSrv {
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
        // DataSourcePicker shows `meta.info.logos.small`; an empty src makes the browser request nothing.
        meta: {
          id: ds.type,
          name: ds.type,
          type: PluginType.datasource,
          info: { logos: { small: '', large: '' } },
          module: '',
          baseUrl: '',
        },
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
      return found
        ? Promise.resolve({ ...found, getRef: () => ({ uid: found.uid, type: found.type }) })
        : Promise.reject(new Error(`Data source ${String(ref)} was not found`));
    },
    reload: () => Promise.resolve(),
    registerRuntimeDataSource: () => undefined,
  };
  return srv as unknown as DataSourceSrv;
}

export function installDataSources(list: TestDataSource[] = TEST_DATA_SOURCES): void {
  setDataSourceSrv(testDataSourceSrv(list));
}
