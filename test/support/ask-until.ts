/**
 * Asks until `done` holds of the answer, for at most `ms`, pausing `everyMs` between asks; the last
 * answer either way (the test's expectation then says what it was).
 */
export async function askUntil<T>(
  ask: () => Promise<T>,
  done: (answer: T) => boolean,
  ms: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await ask();
    if (done(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
