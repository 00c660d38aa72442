/**
 * The host side of the harness: the real packages Grafana supplies to plugins as AMD externals, and a minimal
 * AMD loader that loads `dist/module.js` exactly as Grafana's SystemJS does (one `define([...deps], factory)`
 * per module; the special `module` dependency carries the script's URI, from which webpack derives the public
 * path for lazy chunks). Versions are the ones the plugin builds against (package.json).
 */
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as d3 from 'd3';
import lodash from 'lodash';
import * as react from 'react';
import * as reactDom from 'react-dom';
import * as reactDomClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactRouter from 'react-router';
import * as reactRouterDom from 'react-router-dom';
import * as rxjs from 'rxjs';

const externals: Record<string, unknown> = {
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  // Grafana shares d3 with plugins too (its plugin loader's shared dependencies): @grafana/flamegraph imports it.
  d3,
  lodash,
  react,
  'react-dom': reactDom,
  // Not a plugin external: the harness page itself renders with it (same React instance).
  'react-dom/client': reactDomClient,
  'react/jsx-runtime': jsxRuntime,
  'react/jsx-dev-runtime': jsxRuntime,
  'react-router': reactRouter,
  'react-router-dom': reactRouterDom,
  rxjs,
};

type Factory = (...deps: unknown[]) => unknown;
let pending: { deps: string[]; factory: Factory } | undefined;

const define = (deps: string[] | Factory, factory?: Factory) => {
  pending = Array.isArray(deps) ? { deps, factory: factory! } : { deps: [], factory: deps };
};
define.amd = {};

/** Loads one AMD module by URL and returns its exports (what Grafana would get from SystemJS.import). */
function loadAmd(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => {
      const loaded = pending;
      pending = undefined;
      if (!loaded) {
        reject(new Error(`${url} did not call define()`));
        return;
      }
      const missing = loaded.deps.filter((d) => d !== 'module' && !(d in externals));
      if (missing.length > 0) {
        reject(new Error(`${url} needs externals the host does not supply: ${missing.join(', ')}`));
        return;
      }
      const args = loaded.deps.map((d) => (d === 'module' ? { uri: new URL(url, location.href).href } : externals[d]));
      resolve(loaded.factory(...args) as Record<string, unknown>);
    };
    script.onerror = () => reject(new Error(`failed to load ${url}`));
    document.head.appendChild(script);
  });
}

Object.assign(window, { define, hotpathHarness: { externals, loadAmd } });
