import { startScratchPostgres } from './scratch-postgres';

/** Global setup of the `application-postgres` tests: a PostgreSQL server of their own. */
export default async function postgresGlobalSetup(): Promise<void> {
  await startScratchPostgres();
}
