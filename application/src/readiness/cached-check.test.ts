import { CachedCheck, type CheckOutcome } from './cached-check';

describe('CachedCheck', () => {
  it('reuses an outcome for ttlMs, then checks again', async () => {
    let now = 1_000;
    const outcomes: CheckOutcome[] = [undefined, 'down'];
    let calls = 0;
    const check = new CachedCheck(
      () => Promise.resolve(outcomes[calls++]),
      5_000,
      () => now,
    );
    expect(await check.current()).toBeUndefined();
    now += 4_999;
    expect(await check.current()).toBeUndefined();
    expect(calls).toBe(1);
    now += 1;
    expect(await check.current()).toBe('down');
    expect(calls).toBe(2);
  });

  it('shares one check in flight between concurrent callers', async () => {
    let release: (outcome: CheckOutcome) => void = () => undefined;
    let calls = 0;
    const check = new CachedCheck(() => {
      calls += 1;
      return new Promise<CheckOutcome>((resolve) => (release = resolve));
    }, 5_000);
    const first = check.current();
    const second = check.current();
    release('down');
    expect(await Promise.all([first, second])).toEqual(['down', 'down']);
    expect(calls).toBe(1);
  });

  it('counts a check that throws as down, with its message', async () => {
    const check = new CachedCheck(() => Promise.reject(new Error('peer gone')), 5_000);
    expect(await check.current()).toBe('peer gone');
  });
});
