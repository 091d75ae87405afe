/** The counters the bench watches move on the server's GET /metrics (README "Operating Tracelode"). */
const WATCHED = [
  ['commands', 'tracelode_commands_total'],
  ['groupCommits', 'tracelode_group_commit_size_count'],
  ['appendsCommitted', 'tracelode_group_commit_size_sum'],
  ['streamPagesRead', 'tracelode_stream_pages_read_total'],
] as const;

type Watched = Record<(typeof WATCHED)[number][0], number>;

const SCRAPE_EVERY_MS = 5000;

/**
 * Runs `run` (the bench's command run) while scraping the server's /metrics with the admin token: before,
 * every few seconds during, and after. Prints how far the command counter and the group-commit histogram
 * moved, so the bench's own output shows an operator's view of the load it made.
 */
export async function withMetricsDeltas<T>(
  url: string,
  adminToken: string,
  run: () => Promise<T>,
  progress: (message: string) => void,
): Promise<T> {
  const before = await scrape(url, adminToken);
  const timer = setInterval(() => {
    void scrape(url, adminToken).then(
      (now) => progress(`/metrics during the run: ${describe(before, now)}`),
      () => undefined, // a scrape that fails while the server is loaded is no reason to fail the bench
    );
  }, SCRAPE_EVERY_MS);
  try {
    const result = await run();
    progress(`/metrics across the run: ${describe(before, await scrape(url, adminToken))}`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

function describe(before: Watched, after: Watched): string {
  const commits = after.groupCommits - before.groupCommits;
  const appends = after.appendsCommitted - before.appendsCommitted;
  const commands = after.commands - before.commands;
  const pages = after.streamPagesRead - before.streamPagesRead;
  return (
    `tracelode_commands_total +${commands}, ` +
    `tracelode_group_commit_size_count +${commits} ` +
    `(${commits > 0 ? (appends / commits).toFixed(1) : '0'} appends a commit), ` +
    `tracelode_stream_pages_read_total +${pages} (${commands > 0 ? (pages / commands).toFixed(2) : '0'} a command)`
  );
}

async function scrape(url: string, adminToken: string): Promise<Watched> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const watched = { commands: 0, groupCommits: 0, appendsCommitted: 0, streamPagesRead: 0 };
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    const found = match && WATCHED.find(([, name]) => name === match[1]);
    if (found) watched[found[0]] += Number(match[2]);
  }
  return watched;
}
