import { readFileSync } from 'node:fs';
import { startAppHarness, type AppHarness } from '../testing/app-harness';
import { interactionWrites, nextTestBlock } from '../testing/block-builder';
import { storedInteraction } from '../testing/stored-interactions';

const EXPORT = '/api/v1/channels/hospital-a/audit/export?format=ndjson&by=org&value=HospitalAMSP&minBlock=0';

describe('HEAD of a streamed answer', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness({ auditorOrgs: ['HospitalAMSP'] });
    const index = app.auditIndex;
    await index.ingest(
      'hospital-a',
      nextTestBlock(index, 'hospital-a', [
        { txId: 'a'.repeat(64), writes: interactionWrites([storedInteraction('HospitalAMSP:i-1')]) },
      ]),
    );
  });
  afterEach(() => app.close());

  const logged = (): string[] =>
    readFileSync(app.auditorReadLogPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { event: string }).event);

  it('answers status and headers without running the stream: nothing read, nothing in the auditor-read log', async () => {
    const head = await app.request('HEAD', EXPORT, { key: app.keys.auditor });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('application/x-ndjson');
    expect(await head.text()).toBe('');
    expect(logged()).toEqual([]);
    // The GET of the same export streams the record and is logged as opened and closed.
    const get = await app.request('GET', EXPORT, { key: app.keys.auditor });
    expect(get.status).toBe(200);
    expect((await get.text()).trim().split('\n')).toHaveLength(1);
    await app.readLogHolds(2);
    expect(logged()).toEqual(['stream-opened', 'stream-closed']);
  });
});
