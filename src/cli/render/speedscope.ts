import { contextFrameName, type ContextReport } from '../../engine';

/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json; the types it is generated from:
 * https://github.com/jlfwong/speedscope/blob/main/src/lib/file-format-spec.ts): one "sampled" profile whose
 * samples are the calling contexts with critical-path time of their own — each a stack of indices into the shared
 * frames, root first — weighted by that time in microseconds (unrounded).
 */
export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: Array<{ name: string }> };
  profiles: Array<{
    type: 'sampled';
    name: string;
    unit: 'microseconds';
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }>;
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

export function renderSpeedscope(report: ContextReport, traces: number): string {
  const frames: Array<{ name: string }> = [];
  const frameIndex = new Map<string, number>();
  const stacks: number[][] = [];
  const samples: number[][] = [];
  const weights: number[] = [];
  report.nodes.forEach((node, k) => {
    const name = contextFrameName(node);
    let frame = frameIndex.get(name);
    if (frame === undefined) {
      frame = frames.length;
      frames.push({ name });
      frameIndex.set(name, frame);
    }
    stacks[k] = node.parent < 0 ? [frame] : [...stacks[node.parent], frame];
    if (node.selfUs > 0) {
      samples.push(stacks[k]);
      weights.push(node.selfUs);
    }
  });
  const name = `critical path by calling context, ${traces} trace${traces === 1 ? '' : 's'}`;
  const file: SpeedscopeFile = {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles: [
      { type: 'sampled', name, unit: 'microseconds', startValue: 0, endValue: report.totalUs, samples, weights },
    ],
    name,
    activeProfileIndex: 0,
    exporter: 'hotpath',
  };
  return `${JSON.stringify(file)}\n`;
}
