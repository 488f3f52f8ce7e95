import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A read asked again after the app's `Retry-After` while it answers 429, as a well-behaved client
 * does: tests share each org's API keys (and so their token buckets), and a test that pages through
 * thousands of records inside an `eventually` loop can meet the per-key limit. Any other answer is
 * returned as it is, for the test to assert on; a 429 past `timeoutMs` is returned too.
 */
export async function rateLimitedRead(read: () => Promise<Response>, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await read();
    if (response.status !== 429 || Date.now() > deadline) return response;
    const retryAfterSeconds = Number(response.headers.get('retry-after') ?? '1');
    await response.arrayBuffer();
    await sleep(Math.max(1, retryAfterSeconds) * 1000);
  }
}
