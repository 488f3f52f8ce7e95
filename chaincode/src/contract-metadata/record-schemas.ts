/**
 * The record shapes that transactions' `@Returns` name, for the generated contract metadata
 * (`org.hyperledger.fabric:GetMetadata`). They are generated from the contract package's
 * stored-record schemas — the same definitions the chaincode's records are validated and typed
 * with — instead of being declared a second time as `@Object` classes. Transactions return
 * sorted-key JSON strings, and a string result is passed through unchanged whatever `@Returns`
 * names, so these components document the JSON without changing a byte of it.
 */
import {
  consentViewSchema,
  erasureReceiptSchema,
  interactionAnswerSchema,
  recordJsonSchema,
  storedArtifactSchema,
  storedInteractionSchema,
  storedReadAnchorSchema,
  storedTrainingRunSchema,
} from '@aal/ledger-contract';
// fabric-contract-api loads reflect-metadata, which adds the metadata functions to the global Reflect.
import 'fabric-contract-api';

/** The component name `@Returns` uses for each record, and the schema it is generated from. */
export const RECORD_COMPONENTS = {
  InteractionRecord: storedInteractionSchema,
  InteractionAnswer: interactionAnswerSchema,
  ConsentRecord: consentViewSchema,
  ArtifactRecord: storedArtifactSchema,
  TrainingRunRecord: storedTrainingRunSchema,
  ErasureReceiptRecord: erasureReceiptSchema,
  ReadAnchorRecord: storedReadAnchorSchema,
} as const;

export type RecordComponentName = keyof typeof RECORD_COMPONENTS;

/** The part of reflect-metadata's API used here (its global declarations are not this package's dependency). */
interface MetadataReflect {
  getMetadata(key: string, target: object): unknown;
  defineMetadata(key: string, value: unknown, target: object): void;
}

/** Where fabric-contract-api's `@Object` decorator keeps complex types, and fabric-shim reads them. */
const OBJECTS_KEY = 'fabric:objects';

/**
 * Registers every record component in `fabric:objects` as fabric-contract-api's `@Object`
 * decorator does (an entry per name with `$id` and an object schema), so fabric-shim puts them in
 * the metadata's `components.schemas`. No constructor (`cnstr`) is registered: fabric-shim needs one
 * only to turn an object *argument* into a class instance, and every argument here is a string.
 */
export function registerRecordComponents(): void {
  const reflect = Reflect as unknown as MetadataReflect;
  const objects = (reflect.getMetadata(OBJECTS_KEY, globalThis) ?? {}) as Record<string, unknown>;
  for (const [name, schema] of Object.entries(RECORD_COMPONENTS))
    // Every answer is a JSON object; a union's schema (`anyOf`) says so too for the metadata's readers.
    objects[name] = { type: 'object', ...recordJsonSchema(schema), $id: name };
  reflect.defineMetadata(OBJECTS_KEY, objects, globalThis);
}

registerRecordComponents();
