import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How long a test waits for an app's audit index to reach a block: an app started by a test file
 * indexes the channel from block 0, and late in a CI run that is thousands of blocks on 2 busy cores.
 */
export const INDEX_CATCH_UP_MS = 120_000;

/**
 * An audit-index read with `minBlock`, asked again while the app answers 503 "Audit index behind"
 * (its index has not reached the block within the app's own wait): any other answer — 200, or a
 * refusal the test expects or not — is returned as it is, for the test to assert on.
 */
export async function indexRead(
  read: () => Promise<Response>,
  timeoutMs: number = INDEX_CATCH_UP_MS,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await read();
    if (response.status !== 503 || Date.now() > deadline) return response;
    const problem = (await response.clone().json()) as { title?: string };
    if (problem.title !== 'Audit index behind') return response;
    await response.arrayBuffer();
    await sleep(500);
  }
}
