import { runAuditIndexCli } from './audit-index-cli';

/** The command's argument checks, which refuse before anything is opened (no network needed). */
describe('audit-index command: --sample', () => {
  const silent = { out: () => undefined, progress: () => undefined };
  const run = (...argv: string[]): Promise<number> =>
    runAuditIndexCli(argv, silent, { AAL_NETWORK_DIR: '/nonexistent' });

  it('takes a record count or all, and refuses anything else before connecting', async () => {
    for (const bad of ['many', '1.5', '01', '', '1e3'])
      await expect(run('check', '--org', 'hospital-a', `--sample=${bad}`)).rejects.toThrow(
        `--sample must be a record count (0 or more) or 'all', got '${bad}'`,
      );
    await expect(run('check', '--org', 'hospital-a', '--sample=-1')).rejects.toThrow("got '-1'");
    // A valid count gets past the option check to the org lookup (no network here).
    for (const good of ['0', '25', 'all'])
      await expect(run('check', '--org', 'hospital-a', '--sample', good)).rejects.toThrow("no org 'hospital-a'");
  });

  it('is an option of check only', async () => {
    await expect(run('reindex', '--org', 'hospital-a', '--sample', '5')).rejects.toThrow(
      '--sample is an option of check',
    );
  });
});
