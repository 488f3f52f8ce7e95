import { writeAuditIndexLocation } from '@aal/application';
import type { NetworkLayout } from './layout';
import type { PostgresBinaries } from './postgres-binaries';
import { PostgresServer } from './postgres-server';
import type { ProcessSupervisor } from './processes';
import type { OrgSpec } from './topology';

/** The login role of each org's app on its audit index database. */
export const AUDIT_INDEX_ROLE = 'audit_index_app';

/** The org's audit index database on its own server: `audit_index_<org>`. */
export function auditIndexDatabaseName(org: OrgSpec): string {
  return `audit_index_${org.slug.replace(/-/g, '_')}`;
}

/** The org's PostgreSQL server for its app's audit index (data, port, role, password file from the layout). */
export function auditIndexServer(
  layout: NetworkLayout,
  binaries: PostgresBinaries,
  supervisor: ProcessSupervisor,
  org: OrgSpec,
): PostgresServer {
  const name = layout.postgresProcess(org);
  return new PostgresServer(binaries, supervisor, {
    name,
    dataDir: layout.postgresDataDir(org),
    host: layout.auditIndexDatabase(org).host,
    port: layout.auditIndexDatabase(org).port,
    database: auditIndexDatabaseName(org),
    role: AUDIT_INDEX_ROLE,
    passwordFile: layout.auditIndexPasswordFile(org),
    logFile: layout.logFile(name),
  });
}

/** Creates (once) and starts the org's audit index server; resolves when it accepts connections. */
export async function startAuditIndexDatabase(
  layout: NetworkLayout,
  binaries: PostgresBinaries,
  supervisor: ProcessSupervisor,
  org: OrgSpec,
): Promise<PostgresServer> {
  const server = auditIndexServer(layout, binaries, supervisor, org);
  await server.init();
  await server.start();
  writeAuditIndexLocation(layout.auditIndexLocationFile(org), {
    backend: 'postgres',
    url: server.url,
    passwordFile: layout.auditIndexPasswordFile(org),
  });
  return server;
}
