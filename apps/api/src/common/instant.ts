/** The earliest year a ledger timestamp may name: before it, a year is a typing slip, not a record. */
export const MIN_YEAR = 1900;

const TIMESTAMP_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant an ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`) names, in epoch
 * milliseconds, or undefined when it names none: only real calendar dates (no 30 February, no 31 April,
 * 29 February in leap years only), hours 00–23, minutes and seconds 00–59, offsets within ±23:59,
 * years from MIN_YEAR. Date.parse alone takes `2026-02-30` (as 2 March) and `T24:00`.
 */
export function parseInstant(text: string): number | undefined {
  const parts = TIMESTAMP_WITH_OFFSET.exec(text);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second = 0] = parts.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number?,
  ];
  const offsetHours = Number(parts[9] ?? 0);
  const offsetMinutes = Number(parts[10] ?? 0);
  if (year < MIN_YEAR || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // A day or month out of range rolls over (30 February becomes 2 March): compare what comes back.
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) {
    return undefined;
  }
  const milliseconds = Number((parts[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = (parts[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return local.getTime() + milliseconds - offset;
}
