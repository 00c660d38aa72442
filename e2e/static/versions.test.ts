/** @jest-environment node */
/**
 * One place for the versions of the real servers: tools/versions.json. The bundle ships the Jaeger and Kafka it
 * tests: compose, Kubernetes, the docs and the workflows reference exactly the pinned images, and the tools the
 * tests build (tools/jaeger/go.mod, tools/kafka/pom.xml) pin the same releases.
 */
import { exists, readText, walkFiles } from './lib/repo';
import { VERSIONS, imageTagDrift, toolPinDrift } from './lib/versions';

/**
 * Every text file of the bundle and its docs that may name an image. Left out: the changelog (history) and test
 * files, whose mutated copies name other tags on purpose.
 */
function bundleFiles(): Record<string, string> {
  const text = /\.(ya?ml|md|ts|tsx|mjs|js|json|sh|conf|properties)$|Dockerfile$/;
  const files = [
    'docker-compose.yml',
    'README.md',
    '.ci/run',
    ...['deploy', 'k8s', 'docs', '.github', 'e2e', 'scripts', 'demo', 'provisioning', 'tools'].flatMap((dir) =>
      walkFiles(dir, (path) => text.test(path) && !path.endsWith('.test.ts') && !path.startsWith('tools/kafka/lib/'))
    ),
  ];
  return Object.fromEntries(files.filter(exists).map((file) => [file, readText(file)]));
}

describe('server versions (tools/versions.json)', () => {
  it('every reference to the Jaeger and Kafka images uses the pinned tag', () => {
    const files = bundleFiles();
    expect(files['docker-compose.yml']).toContain(`${VERSIONS.jaeger.image}:${VERSIONS.jaeger.tag}`);
    expect(files['k8s/base/jaeger/deployment.yaml']).toContain(`${VERSIONS.jaeger.image}:${VERSIONS.jaeger.tag}`);
    expect(files['README.md']).toContain(`${VERSIONS.jaeger.image}:${VERSIONS.jaeger.tag}`);
    expect(imageTagDrift(files)).toEqual([]);
  });

  it('the Go tool and the Maven pom pin the same releases', () => {
    expect(toolPinDrift(readText('tools/jaeger/go.mod'), readText('tools/kafka/pom.xml'))).toEqual([]);
  });

  it('fails on a drifted copy', () => {
    expect(
      imageTagDrift({
        'docker-compose.yml': 'image: jaegertracing/jaeger:2.20.0\n',
        'README.md': '| `jaegertracing/jaeger:latest` | ... |\n',
        'k8s/x.yaml': `image: ${VERSIONS.jaeger.image}:${VERSIONS.jaeger.tag}\n`,
        'docs/kafka.md': 'run apache/kafka:3.9.0 with KRaft, or any apache/kafka image',
      })
    ).toEqual([
      `docker-compose.yml: jaegertracing/jaeger:2.20.0 (the pinned release is jaegertracing/jaeger:${VERSIONS.jaeger.tag}, tools/versions.json)`,
      `README.md: jaegertracing/jaeger:latest (the pinned release is jaegertracing/jaeger:${VERSIONS.jaeger.tag}, tools/versions.json)`,
      `docs/kafka.md: apache/kafka:3.9.0 (the pinned release is apache/kafka:${VERSIONS.kafka.tag}, tools/versions.json)`,
    ]);
    const goMod = readText('tools/jaeger/go.mod');
    const pom = readText('tools/kafka/pom.xml');
    expect(
      toolPinDrift(
        goMod.replace(
          `${VERSIONS.jaeger.goModule} ${VERSIONS.jaeger.goModuleVersion}`,
          `${VERSIONS.jaeger.goModule} v1.76.0`
        ),
        pom.replace(/<kafka\.version>[^<]+</, '<kafka.version>4.0.1<')
      )
    ).toEqual([
      `tools/jaeger/go.mod requires ${VERSIONS.jaeger.goModule} v1.76.0, tools/versions.json says ${VERSIONS.jaeger.goModuleVersion}`,
      `tools/kafka/pom.xml pins Kafka 4.0.1, tools/versions.json says ${VERSIONS.kafka.mavenVersion}`,
    ]);
    expect(toolPinDrift(goMod.replace(/^tool .*$/m, ''), pom)).toEqual([
      `tools/jaeger/go.mod: no \`tool ${VERSIONS.jaeger.goModule}/cmd/jaeger\` directive`,
    ]);
  });
});
