// The bench's OpenAI-compatible upstream in a process of its own, so that neither the load
// generator nor the gateway shares an event loop with it; prints its base URL, then serves until killed.
import { startFakeOpenAiUpstream } from '@aal/application/testing';

const upstream = await startFakeOpenAiUpstream();
// The bench sends thousands of calls: the fake's request log is for tests, so it is kept empty here.
setInterval(() => upstream.requests.splice(0), 1_000).unref();
process.stdout.write(`${upstream.baseUrl}\n`);
