/**
 * The versions of the real servers the bundle ships and the tests run, from their one place: tools/versions.json.
 * The Jaeger image tag and the Go module version name the same release (the project tags each release twice:
 * v2.12.0 for the image, v1.75.0 for the Go module); the Kafka image and the Maven artifacts are the same release.
 */
import { readJson } from './repo';

export interface ServerVersions {
  jaeger: { image: string; tag: string; goModule: string; goModuleVersion: string };
  kafka: { image: string; tag: string; mavenArtifact: string; mavenVersion: string };
  /**
   * The bundle's Grafana image, and the release of the packages that Grafana supplies to plugins which layer 1 loads
   * the plugin with (e2e/harness/runtime-13; same minor line, checked in lib/runtimes.ts).
   */
  grafana: { image: string; tag: string; npmPackages: string[]; npmVersion: string };
}

export const VERSIONS = readJson<ServerVersions>('tools/versions.json');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** "Jaeger 2.12": how messages and test names refer to the pinned release. */
export const JAEGER_RELEASE = `Jaeger ${VERSIONS.jaeger.tag.split('.').slice(0, 2).join('.')}`;

/**
 * Every `image:tag` of a pinned image in `files` (path -> text) that does not carry the pinned tag. A reference
 * without a tag (e.g. in prose, `jaegertracing/jaeger`) is fine; a pinned image must never be referenced by another.
 */
export function imageTagDrift(files: Record<string, string>, versions: ServerVersions = VERSIONS): string[] {
  const problems: string[] = [];
  for (const { image, tag } of [versions.jaeger, versions.kafka]) {
    // The tag runs to the next blank, quote, backtick, comma, bar or parenthesis (YAML, Markdown tables, prose).
    const pattern = new RegExp(`${escapeRegExp(image)}:([^\\s'"\`,|()]+)`, 'g');
    for (const [file, text] of Object.entries(files)) {
      for (const m of text.matchAll(pattern)) {
        if (m[1] !== tag) {
          problems.push(`${file}: ${image}:${m[1]} (the pinned release is ${image}:${tag}, tools/versions.json)`);
        }
      }
    }
  }
  return problems;
}

/** tools/jaeger/go.mod must run the pinned module as a Go tool; tools/kafka/pom.xml must pin the same Kafka. */
export function toolPinDrift(goMod: string, pom: string, versions: ServerVersions = VERSIONS): string[] {
  const problems: string[] = [];
  const { goModule, goModuleVersion } = versions.jaeger;
  if (!new RegExp(`^tool ${escapeRegExp(goModule)}/cmd/jaeger$`, 'm').test(goMod)) {
    problems.push(`tools/jaeger/go.mod: no \`tool ${goModule}/cmd/jaeger\` directive`);
  }
  const required = new RegExp(`^\\s*(?:require\\s+)?${escapeRegExp(goModule)} (\\S+)`, 'm').exec(goMod)?.[1];
  if (required !== goModuleVersion) {
    problems.push(`tools/jaeger/go.mod requires ${goModule} ${required}, tools/versions.json says ${goModuleVersion}`);
  }
  const [group, artifact] = versions.kafka.mavenArtifact.split(':');
  const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!pom.includes(`<groupId>${group}</groupId>`) || !pom.includes(`<artifactId>${artifact}</artifactId>`)) {
    problems.push(`tools/kafka/pom.xml does not depend on ${versions.kafka.mavenArtifact}`);
  }
  if (pinned !== versions.kafka.mavenVersion) {
    problems.push(`tools/kafka/pom.xml pins Kafka ${pinned}, tools/versions.json says ${versions.kafka.mavenVersion}`);
  }
  if (versions.kafka.mavenVersion !== versions.kafka.tag) {
    problems.push(`the Kafka image ${versions.kafka.tag} and the tested broker ${versions.kafka.mavenVersion} differ`);
  }
  return problems;
}
