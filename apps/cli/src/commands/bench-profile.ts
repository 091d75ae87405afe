import { basename } from 'node:path';

/** One function's self time in a V8 CPU profile. */
export interface SelfTime {
  readonly function: string;
  /** `file:line` (file name only), or the V8 pseudo-frame's name. */
  readonly where: string;
  readonly selfMs: number;
  /** Share of the thread's sampled time, idle included. */
  readonly sharePct: number;
}

export interface CpuProfileSummary {
  readonly file: string;
  readonly sampledMs: number;
  readonly idlePct: number;
  /** The five functions with the most self time (idle left out). */
  readonly top: readonly SelfTime[];
  readonly threads?: readonly { file: string; sampledMs: number; idlePct: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Sums a `.cpuprofile`'s (what `node --cpu-prof` writes) samples into self time per function, keyed by
 * name, file and line; time inside a synchronous native call counts as its JavaScript caller's. Only the
 * profile's last `lastMs` count (the load, not the start-up), when given.
 */
export function summariseCpuProfile(json: string, file: string, lastMs?: number, top = 5): CpuProfileSummary {
  const profile = JSON.parse(json) as CpuProfile;
  const keyOf = new Map<number, { name: string; where: string }>();
  for (const { id, callFrame } of profile.nodes) {
    const name = callFrame.functionName || '(anonymous)';
    const where = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : name;
    keyOf.set(id, { name, where });
  }
  const selfUs = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  const sampledAt: number[] = [];
  let at = profile.endTime - profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  for (const delta of profile.timeDeltas) sampledAt.push((at += delta));
  const from = lastMs === undefined ? -Infinity : profile.endTime - lastMs * 1000;
  profile.samples.forEach((id, i) => {
    if (sampledAt[i]! < from) return;
    const delta = profile.timeDeltas[i] ?? 0;
    totalUs += delta;
    const key = keyOf.get(id) ?? { name: '(unknown)', where: '(unknown)' };
    const id2 = `${key.name}@${key.where}`;
    const entry = selfUs.get(id2) ?? { ...key, us: 0 };
    entry.us += delta;
    selfUs.set(id2, entry);
  });
  const pct = (us: number) => Math.round((us / Math.max(1, totalUs)) * 1000) / 10;
  const idle = [...selfUs.values()].filter((entry) => entry.name === '(idle)').reduce((s, e) => s + e.us, 0);
  return {
    file,
    sampledMs: Math.round(totalUs / 1000),
    idlePct: pct(idle),
    top: [...selfUs.values()]
      .filter((entry) => entry.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({
        function: entry.name,
        where: entry.where,
        selfMs: Math.round(entry.us / 1000),
        sharePct: pct(entry.us),
      })),
  };
}
