import { qualifiedRecordId } from '@aal/ledger-contract';

/**
 * Record ids as the REST app passes them to the ledger. The chaincode accepts a new record only
 * under an id in the creating org's namespace (`<MSP id>:<local>`) and resolves references as the
 * qualified ids they are; the app keeps existing clients working by reading a bare id — in a create
 * body, a path or a reference — as naming its own org's record (`qualifiedRecordId` with the app's
 * MSP id). A qualified id is passed on as it is (another org's reference, or a create the chaincode
 * then refuses).
 */
export class OwnRecordIds {
  /** @param mspId the app's own org */
  constructor(readonly mspId: string) {}

  /** One id: a bare id names this org's record. */
  id(id: string): string {
    return qualifiedRecordId(this.mspId, id);
  }

  /** An optional reference, qualified when present. */
  optional(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.id(id);
  }

  /** Each id of a list. */
  list(ids: readonly string[]): string[] {
    return ids.map((id) => this.id(id));
  }

  /** An interaction request: its id, and its `consentId` and `modelArtifactId` references. */
  interaction<T extends { id: string; consentId?: string; modelArtifactId?: string }>(record: T): T {
    return {
      ...record,
      id: this.id(record.id),
      ...(record.consentId === undefined ? {} : { consentId: this.id(record.consentId) }),
      ...(record.modelArtifactId === undefined ? {} : { modelArtifactId: this.id(record.modelArtifactId) }),
    };
  }

  /** An artifact: its id, its `parents` and `consentIds`. */
  artifact<T extends { id: string; parents?: string[]; consentIds?: string[] }>(artifact: T): T {
    return {
      ...artifact,
      id: this.id(artifact.id),
      ...(artifact.parents === undefined ? {} : { parents: this.list(artifact.parents) }),
      ...(artifact.consentIds === undefined ? {} : { consentIds: this.list(artifact.consentIds) }),
    };
  }

  /** A training run: its id, its model and its datasets. */
  trainingRun<T extends { id: string; modelArtifactId: string; datasetArtifactIds: string[] }>(run: T): T {
    return {
      ...run,
      id: this.id(run.id),
      modelArtifactId: this.id(run.modelArtifactId),
      datasetArtifactIds: this.list(run.datasetArtifactIds),
    };
  }

  /** A query's `value` for an access path; only `consentId` names a record. */
  filterValue(by: string | undefined, value: string | undefined): string | undefined {
    return by === 'consentId' ? this.optional(value) : value;
  }
}

/** How the OpenAPI descriptions state the rule, once. */
export const BARE_ID_RULE =
  "Record ids are org-namespaced, '<MSP id>:<local>': a bare id (no ':') names your org's record and is qualified with this app's MSP id, in bodies, paths and references alike; give another org's record by its qualified id.";
