/** The list's filters as typed (empty: any). */
export interface ListFilters {
  readonly status: string;
  readonly form: string;
  readonly custodian: string;
  readonly q: string;
}

export const NO_FILTERS: ListFilters = { status: '', form: '', custodian: '', q: '' };

/**
 * `GET /batches` for the filters applied and the page reached: the cursors are the `next` of each page
 * read so far (the last one reads the current page), so "previous" is the list without its last.
 */
export function listPath(filters: ListFilters, cursors: readonly string[]): string {
  const query = new URLSearchParams(
    Object.entries({ ...filters, cursor: cursors.at(-1) ?? '' })
      .map(([name, value]): [string, string] => [name, value.trim()])
      .filter(([, value]) => value !== ''),
  ).toString();
  return `/batches${query ? `?${query}` : ''}`;
}

/** The page after: one more cursor, when the API gave one. */
export const nextPage = (cursors: readonly string[], next: string | null): readonly string[] =>
  next === null ? cursors : [...cursors, next];

/** The page before: one cursor fewer (the first page has none). */
export const previousPage = (cursors: readonly string[]): readonly string[] => cursors.slice(0, -1);
