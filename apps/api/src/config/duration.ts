const UNIT_MS = { d: 24 * 60 * 60 * 1000, h: 60 * 60 * 1000, m: 60 * 1000, s: 1000 } as const;

/**
 * A duration as configured: a positive whole number with a unit, `30d` (days), `72h` (hours), `90m`
 * (minutes) or `45s` (seconds), or a bare number of seconds (`2592000`). Undefined if it is none of these.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = /^([1-9]\d*)([dhms]?)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] || 's') as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}
