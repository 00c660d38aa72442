import { contextFrameName, type ContextReport } from '../../engine';

/**
 * What may not appear inside a folded-stack frame: `;` separates frames, a line break ends the record, and other
 * control characters (C0, DEL, C1), Unicode line/paragraph separators and bidirectional controls would garble or
 * disguise the line in a terminal or tool. Each becomes a space.
 */
const UNSAFE_IN_FRAME = /[;\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function foldedFrame(name: string): string {
  return name.replace(UNSAFE_IN_FRAME, ' ');
}

/**
 * Brendan Gregg's folded-stack text (https://github.com/brendangregg/FlameGraph, "stackcollapse" output), which
 * flamegraph.pl, speedscope, Pyroscope and Grafana's tooling read: one line per calling context with critical-path
 * time of its own, its frames from the root operation down joined by `;`, a space, and that time in whole
 * microseconds (rounded per line). Lines come in the report's order (depth first, siblings by service then
 * operation), so the same input always gives the same text. Contexts whose names become equal once made safe are
 * one line, with their times added.
 */
export function renderFolded(report: ContextReport): string {
  const stacks: string[] = [];
  const weights = new Map<string, number>();
  for (let k = 0; k < report.nodes.length; k++) {
    const node = report.nodes[k];
    stacks[k] =
      node.parent < 0
        ? foldedFrame(contextFrameName(node))
        : `${stacks[node.parent]};${foldedFrame(contextFrameName(node))}`;
    const us = Math.round(node.selfUs);
    if (us > 0) {
      weights.set(stacks[k], (weights.get(stacks[k]) ?? 0) + us);
    }
  }
  let text = '';
  for (const [stack, us] of weights) {
    text += `${stack} ${us}\n`;
  }
  return text;
}
