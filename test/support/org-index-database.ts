import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { AUDIT_INDEX_ROLE, auditIndexDatabaseName, type NetworkLayout, type OrgSpec } from '@aal/network';

/**
 * Runs `use` with a client of the org's audit index database (its PostgreSQL server, as the org's
 * app uses it), so a test reads rows directly rather than through the app.
 */
export async function withOrgIndexDatabase<T>(
  layout: NetworkLayout,
  org: OrgSpec,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const { host, port } = layout.auditIndexDatabase(org);
  const client = new Client({
    host,
    port,
    user: AUDIT_INDEX_ROLE,
    database: auditIndexDatabaseName(org),
    password: readFileSync(layout.auditIndexPasswordFile(org), 'utf8'),
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
