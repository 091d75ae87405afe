import { NO_PACE, until } from './pace';

describe('until: a pace that stops the work once a reason is given', () => {
  it('lets the work go on while there is no reason, and stops it at the next step with the reason', async () => {
    let reason: Error | undefined;
    const pace = until(NO_PACE, () => reason);
    let steps = 0;
    const work = (async () => {
      for (;;) {
        await pace();
        steps++;
        if (steps === 3) reason = new Error('its client went');
      }
    })();
    await expect(work).rejects.toThrow('its client went');
    expect(steps).toBe(3);
  });
});
