/**
 * The path as the router reads it: each segment percent-decoded (`ID%2D1` is `ID-1`), so a retry spelt
 * differently is the same request. Only `%`, `/`, `?` and `#` are escaped again, so a segment that
 * decodes to them stays one segment, and a path without escapes hashes as it always did.
 */
export function normalisedPath(url: string): string {
  // Without an escape or a `#` (which is escaped again) every segment reads as it is spelt: most requests.
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (!path.includes('%') && !path.includes('#')) return path;
  return url
    .split('?')[0]!
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment).replace(/[%/?#]/g, (c) => encodeURIComponent(c));
      } catch {
        return segment; // a malformed escape: the router has refused it already
      }
    })
    .join('/');
}
