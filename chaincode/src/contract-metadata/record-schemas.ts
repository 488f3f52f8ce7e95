/**
 * Shapes of the records transactions return, for the generated contract metadata only
 * (`org.hyperledger.fabric:GetMetadata`): transactions return canonical JSON strings, and a string
 * result is passed through unchanged whatever @Returns names, so these classes document the JSON
 * without changing a byte of it. Field names and meanings: docs/data-model.md.
 */
import { Object as FabricObject, Property } from 'fabric-contract-api';

@FabricObject()
export class TokenUsage {
  @Property('inputTokens', 'number') inputTokens!: number;
  @Property('outputTokens', 'number') outputTokens!: number;
  @Property('cacheReadTokens', 'number') cacheReadTokens?: number;
  @Property('reasoningTokens', 'number') reasoningTokens?: number;
  /** provider | estimated */
  @Property('source', 'string') source!: string;
}

@FabricObject()
export class CallCost {
  /** priced | unpriced | provider — an unpriced call carries no amount, never 0. */
  @Property('status', 'string') status!: string;
  @Property('amountMinor', 'number') amountMinor?: number;
  @Property('currency', 'string') currency?: string;
  @Property('priceTableVersion', 'string') priceTableVersion?: string;
}

@FabricObject()
export class ConsentVerdict {
  @Property('allowed', 'boolean') allowed!: boolean;
  @Property('consentId', 'string') consentId?: string;
  @Property('reason', 'string') reason!: string;
}

@FabricObject()
export class InteractionRecord {
  @Property('id', 'string') id!: string;
  @Property('org', 'string') org!: string;
  @Property('recordedBy', 'string') recordedBy!: string;
  @Property('txId', 'string') txId!: string;
  @Property('txTime', 'string') txTime!: string;
  @Property('startTime', 'string') startTime!: string;
  @Property('endTime', 'string') endTime!: string;
  @Property('provider', 'string') provider!: string;
  @Property('operation', 'string') operation!: string;
  @Property('requestModel', 'string') requestModel!: string;
  @Property('responseModel', 'string') responseModel?: string;
  @Property('responseId', 'string') responseId?: string;
  @Property('usage', 'TokenUsage') usage!: TokenUsage;
  @Property('cost', 'CallCost') cost!: CallCost;
  @Property('latencyMs', 'number') latencyMs!: number;
  @Property('status', 'string') status!: string;
  @Property('errorType', 'string') errorType?: string;
  @Property('finishReasons', 'string[]') finishReasons?: string[];
  @Property('actorRef', 'string') actorRef?: string;
  @Property('applicationId', 'string') applicationId!: string;
  @Property('conversationId', 'string') conversationId?: string;
  @Property('promptCommitment', 'string') promptCommitment!: string;
  @Property('outputCommitment', 'string') outputCommitment?: string;
  @Property('subjectRef', 'string') subjectRef?: string;
  @Property('consentId', 'string') consentId?: string;
  @Property('purpose', 'string') purpose?: string;
  @Property('consentCheck', 'ConsentVerdict') consentCheck?: ConsentVerdict;
  @Property('dataCategories', 'string[]') dataCategories?: string[];
  @Property('tags', 'string[]') tags?: string[];
  @Property('modelArtifactId', 'string') modelArtifactId?: string;
}

@FabricObject()
export class ConsentPeriod {
  @Property('start', 'string') start!: string;
  @Property('end', 'string') end?: string;
}

@FabricObject()
export class ConsentRecord {
  @Property('id', 'string') id!: string;
  @Property('subjectRef', 'string') subjectRef!: string;
  @Property('controller', 'string') controller!: string;
  @Property('grantees', 'string[]') grantees!: string[];
  /** permit | deny */
  @Property('decision', 'string') decision!: string;
  @Property('purposes', 'string[]') purposes!: string[];
  @Property('dataCategories', 'string[]') dataCategories?: string[];
  @Property('period', 'ConsentPeriod') period!: ConsentPeriod;
  @Property('policyCommitment', 'string') policyCommitment!: string;
  @Property('jurisdiction', 'string') jurisdiction?: string;
  @Property('collectionMethod', 'string') collectionMethod?: string;
  /** active | revoked | expired | pending — derived at the transaction time. */
  @Property('status', 'string') status?: string;
  @Property('grantedBy', 'string') grantedBy!: string;
  @Property('grantedAt', 'string') grantedAt!: string;
  @Property('revokedAt', 'string') revokedAt?: string;
  @Property('revokedBy', 'string') revokedBy?: string;
  @Property('revocationReason', 'string') revocationReason?: string;
  @Property('txId', 'string') txId!: string;
}

@FabricObject()
export class ArtifactRecord {
  @Property('id', 'string') id!: string;
  /** dataset | model | other */
  @Property('kind', 'string') kind!: string;
  @Property('name', 'string') name!: string;
  @Property('version', 'string') version!: string;
  @Property('sha256', 'string') sha256!: string;
  @Property('uri', 'string') uri?: string;
  @Property('parents', 'string[]') parents?: string[];
  @Property('consentIds', 'string[]') consentIds?: string[];
  @Property('registeredBy', 'string') registeredBy!: string;
  @Property('txId', 'string') txId!: string;
  @Property('txTime', 'string') txTime!: string;
}

@FabricObject()
export class ErasureReceiptRecord {
  @Property('subjectRef', 'string') subjectRef!: string;
  @Property('org', 'string') org!: string;
  @Property('erasedAt', 'string') erasedAt!: string;
  @Property('erasedBy', 'string') erasedBy!: string;
  @Property('txId', 'string') txId!: string;
}
