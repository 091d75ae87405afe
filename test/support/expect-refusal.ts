import type { LedgerHarness, Reply } from './ledger-harness';

/** The RFC 9457 problem document every refusal answers with, as far as the e2e tests read it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

/**
 * Asserts a refusal as the API answers it: `status`, `content-type: application/problem+json`, and a
 * problem document with that `status` and the stable `code`. Given the ledger, `send` runs between two
 * reads of the log head, and the head must not have moved: the refusal wrote nothing.
 * Returns the reply, for tests that check more of the problem (its details, its detail text).
 */
export async function expectRefusal(
  send: () => Promise<Reply<unknown>>,
  status: number,
  code: string,
  writesNothingTo?: LedgerHarness,
): Promise<Reply<ProblemBody>>;
/** The same for a reply already received, when what was written is not the point (reads, concurrent sends). */
export async function expectRefusal(
  reply: Reply<unknown>,
  status: number,
  code: string,
): Promise<Reply<ProblemBody>>;
export async function expectRefusal(
  send: Reply<unknown> | (() => Promise<Reply<unknown>>),
  status: number,
  code: string,
  writesNothingTo?: LedgerHarness,
): Promise<Reply<ProblemBody>> {
  const before = await writesNothingTo?.eventCount();
  const reply = typeof send === 'function' ? await send() : send;
  expect({
    status: reply.status,
    contentType: reply.headers.get('content-type'),
    body: reply.body,
  }).toMatchObject({
    status,
    contentType: expect.stringContaining('application/problem+json') as string,
    body: { status, code },
  });
  if (writesNothingTo) expect(await writesNothingTo.eventCount()).toBe(before);
  return reply as Reply<ProblemBody>;
}
