/** An API path from its segments, each encoded (ids may hold any character a URL reserves). */
export const path = (...segments: string[]): string =>
  '/' + segments.map((segment) => encodeURIComponent(segment)).join('/');
