/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, e.g. the server under a benchmark with
 * BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"): busy time per second (to find
 * the loaded phase), then, within [fromSeconds, toSeconds) of the profile, the functions with the
 * most self time, self time per package or source file, and the functions with the most
 * inclusive time (self + callees, counted once per sample), as shares of the busy (non-idle) time.
 *
 *   node --import tsx bench/cpuprofile-top.ts /tmp/prof/CPU.….cpuprofile [rows] [fromSeconds] [toSeconds]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const [file, rowsArg, fromArg, toArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [rows] [fromSeconds] [toSeconds]');
const rows = Number(rowsArg ?? 25);
const fromUs = Number(fromArg ?? 0) * 1e6;
const toUs = toArg === undefined ? Infinity : Number(toArg) * 1e6;
/** Frames that are not JavaScript work of the process. */
const notWork = new Set(['(idle)', '(root)', '(program)']);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** `package` for node_modules, the repo-relative path for our sources, `node:…` for built-ins. */
function moduleOf(url: string): string {
  if (url === '') return '(native / VM)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  const ours = /\/work\/main\/(.*)$/.exec(url) ?? /file:\/\/(.*)$/.exec(url);
  return ours?.[1] ?? url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${moduleOf(url)}:${lineNumber + 1}`;
}

const selfUs = new Map<string, number>();
const moduleUs = new Map<string, number>();
const inclusiveUs = new Map<string, number>();
const busyPerSecondUs: number[] = [];
let totalUs = 0;
let idleUs = 0;
let atUs = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  atUs += delta;
  const node = byId.get(id);
  if (!node) return;
  const idle = node.callFrame.functionName === '(idle)';
  const second = Math.floor(atUs / 1e6);
  if (!idle) busyPerSecondUs[second] = (busyPerSecondUs[second] ?? 0) + delta;
  if (atUs < fromUs || atUs >= toUs) return;
  totalUs += delta;
  if (idle) {
    idleUs += delta;
    return;
  }
  const name = label(node);
  selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
  const module = moduleOf(node.callFrame.url);
  moduleUs.set(module, (moduleUs.get(module) ?? 0) + delta);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at);
    if (!frame) break;
    const frameName = label(frame);
    if (seen.has(frameName) || notWork.has(frame.callFrame.functionName)) continue;
    seen.add(frameName);
    inclusiveUs.set(frameName, (inclusiveUs.get(frameName) ?? 0) + delta);
  }
});

const busyUs = totalUs - idleUs;
const table = (title: string, values: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...values].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    process.stdout.write(`${((us / busyUs) * 100).toFixed(1).padStart(6)}%  ${name}\n`);
  }
};
process.stdout.write(
  `busy ms per second of the profile: ${Array.from({ length: busyPerSecondUs.length }, (_, i) => Math.round((busyPerSecondUs[i] ?? 0) / 1000)).join(' ')}\n`,
);
process.stdout.write(
  `window ${fromUs / 1e6}–${toUs / 1e6} s: ${(totalUs / 1e6).toFixed(1)} s, busy ${(busyUs / 1e6).toFixed(1)} s (shares below are of busy time)\n`,
);
table('self time by function', selfUs);
table('self time by package / file', moduleUs);
table('inclusive time by function', inclusiveUs);
