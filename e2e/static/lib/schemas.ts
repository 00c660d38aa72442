/**
 * JSON Schema validation with ajv, set up the way test/schemas/README.md prescribes: `$schema` removed before
 * compiling (ajv does not know those URIs; draft-07 is used), `strict: false` (x-kubernetes-* and other unknown
 * keywords), `unicodeRegExp: false` (plugin.schema.json's id pattern has `\-`), formats from ajv-formats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { SCHEMAS } from './repo';

export type Validate = (data: unknown) => string[];

const cache = new Map<string, Validate>();

function loadSchema(relativePath: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(join(SCHEMAS, relativePath), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

function format(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const where = error.instancePath || '/';
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
        : error.keyword === 'enum'
          ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`
          : '';
    return `${where} ${error.message ?? error.keyword}${extra}`;
  });
}

function wrap(validate: ValidateFunction): Validate {
  return (data) => (validate(data) ? [] : format(validate.errors));
}

/** A validator for a draft-07 schema file under test/schemas (compiled once per run). */
export function schemaValidator(relativePath: string): Validate {
  const cached = cache.get(relativePath);
  if (cached) {
    return cached;
  }
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = wrap(ajv.compile(loadSchema(relativePath)));
  cache.set(relativePath, validate);
  return validate;
}

/** A validator for a draft 2020-12 schema file (compose-go's compose-spec.json). */
export function schemaValidator2020(relativePath: string): Validate {
  const key = `2020:${relativePath}`;
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = wrap(ajv.compile(loadSchema(relativePath)));
  cache.set(key, validate);
  return validate;
}

export const KUBERNETES_SCHEMA_DIR = 'kubernetes/v1.32.2-standalone-strict';

/** kubeconform's file naming: lowercase(kind)-<first label of the API group, none for core>-<version>.json. */
export function kubernetesSchemaFile(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupPart = group ? `-${group.split('.')[0]}` : '';
  return `${KUBERNETES_SCHEMA_DIR}/${kind.toLowerCase()}${groupPart}-${version}.json`;
}
