import { createRequire } from 'node:module';
import { JSONSerializer } from 'fabric-contract-api';

/**
 * Argument handling for transactions whose parameters are all plain strings, without fabric-shim's
 * per-call schema work.
 *
 * fabric-shim 2.5.8 checks every argument of every call against its declared JSON schema. It
 * builds that schema afresh for each argument, embedding every registered record component (this
 * chaincode registers its record shapes for the generated metadata), and Ajv looks its validator
 * up by a stable serialisation of the whole schema. For a string parameter the check cannot fail:
 * the argument is the bytes decoded as UTF-8. Every transaction of this chaincode takes string
 * parameters (JSON documents are validated by the transactions themselves), so the work was
 * pure overhead on every endorsement and query (docs/performance.md has the profile).
 *
 * The replacement answers exactly what the original would for a call whose parameters are all
 * `{ type: 'string' }`, whose argument count matches and whose marshall uses fabric-contract-api's
 * JSON serializer (the default, which this chaincode keeps): the arguments as UTF-8 strings. Any
 * other call — another parameter schema, another serializer, a wrong argument count (refused with
 * the shim's own message) — goes to the original.
 */

/** A transaction's parameter as fabric-contract-api's metadata declares it. */
export interface DeclaredParameter {
  readonly name?: string;
  readonly schema?: Readonly<Record<string, unknown>>;
}

/** What the shim passes to `handleParameters`: the transaction's metadata entry. */
export interface TransactionDescriptor {
  readonly name?: string;
  readonly parameters?: readonly DeclaredParameter[];
}

type HandleParameters = (
  this: unknown,
  fn: TransactionDescriptor,
  parameters: readonly Uint8Array[],
  loggerPrefix: string,
) => unknown[];

interface DataMarshallPrototype {
  handleParameters: HandleParameters;
}

/** The fabric-shim version whose argument handling the replacement matches (chaincode/package.json pins it). */
export const MATCHED_SHIM_VERSION = '2.5.8';

/** Whether a declared parameter is exactly a plain string (no format, pattern or length rule). */
export function isPlainStringParameter(parameter: DeclaredParameter): boolean {
  const schema = parameter.schema;
  return schema !== undefined && Object.keys(schema).length === 1 && schema.type === 'string';
}

/** Whether a DataMarshall decodes arguments with fabric-contract-api's JSON serializer (whose string decoding this matches). */
function usesJsonSerializer(marshall: unknown): boolean {
  return (
    typeof marshall === 'object' &&
    marshall !== null &&
    'serializer' in marshall &&
    marshall.serializer instanceof JSONSerializer
  );
}

/**
 * `handleParameters` that answers calls of all-string transactions itself and passes any other
 * call to `original`.
 */
export function stringParameterHandler(original: HandleParameters): HandleParameters {
  const allStrings = new WeakMap<TransactionDescriptor, boolean>();
  return function handleParameters(this: unknown, fn, parameters, loggerPrefix) {
    if (!usesJsonSerializer(this)) return original.call(this, fn, parameters, loggerPrefix);
    const declared = fn.parameters;
    let plain = allStrings.get(fn);
    if (plain === undefined) {
      plain = declared !== undefined && declared.every(isPlainStringParameter);
      allStrings.set(fn, plain);
    }
    if (plain && declared?.length === parameters.length)
      return parameters.map((argument) => Buffer.from(argument).toString('utf8'));
    return original.call(this, fn, parameters, loggerPrefix);
  };
}

/** Where the installed prototype keeps the shim's own handler (installing twice wraps it once; tests compare with it). */
export const SHIM_HANDLER = Symbol.for('aal.shimHandleParameters');

/**
 * Installs {@link stringParameterHandler} on the shim's DataMarshall, once per process; a shim of
 * another version is left as it is (correct, only slower). Returns whether the handler is in place.
 */
export function installStringParameterHandler(): boolean {
  const shimRequire = createRequire(require.resolve('fabric-shim/package.json'));
  const { version } = shimRequire('./package.json') as { version: string };
  if (version !== MATCHED_SHIM_VERSION) return false;
  const dataMarshall = shimRequire('./lib/contract-spi/datamarshall.js') as { prototype: DataMarshallPrototype };
  const prototype = dataMarshall.prototype as DataMarshallPrototype & { [SHIM_HANDLER]?: HandleParameters };
  if (prototype[SHIM_HANDLER] === undefined) {
    prototype[SHIM_HANDLER] = prototype.handleParameters;
    prototype.handleParameters = stringParameterHandler(prototype.handleParameters);
  }
  return true;
}
