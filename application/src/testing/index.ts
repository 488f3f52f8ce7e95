/**
 * Test doubles other workspaces' tests and benchmarks start against the real application
 * (`@aal/application/testing`): kept out of the main entry so production code cannot reach them.
 *
 * @packageDocumentation
 */
export {
  startFakeOpenAiUpstream,
  FAKE_CHAT_USAGE,
  FAKE_RESPONSES_USAGE,
  FAKE_MODELS,
  FAKE_STREAM_TEXT,
  type FakeOpenAiUpstream,
  type UpstreamRequest,
} from './fake-openai-upstream';
