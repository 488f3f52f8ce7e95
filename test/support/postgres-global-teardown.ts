import { stopScratchPostgres } from './scratch-postgres';

/** Stops the `application-postgres` tests' server whatever their outcome. */
export default async function postgresGlobalTeardown(): Promise<void> {
  await stopScratchPostgres();
}
