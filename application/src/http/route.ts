import type { Request, RequestHandler, Response, Router } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { orgNamespaceOf, type Role } from '@aal/ledger-contract';
import type { AuditorRead, AuditorReadLog } from '../audit-log/auditor-read-log';
import { ReadTally } from '../audit-log/read-tally';
import type { ApiKeyInfo } from '../auth/api-key-store';
import type { LedgerClient } from '../ledger/ledger-client';
import { authenticatedCaller } from './middleware/authentication';
import { HttpProblem, type FieldError } from './problem';
import { setRouteTemplate } from './middleware/route-template';
import { fieldErrors } from './validation';

/** Every route of the REST API lives under this prefix. */
export const API_BASE = '/api/v1';

export type HttpMethod = 'get' | 'post' | 'delete';

/** A documented answer: its description and, for JSON bodies, its schema. */
export interface RouteResponse {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Media type of the body when it is not `application/json`, e.g. `application/fhir+json`, `text/event-stream`. */
  readonly contentType?: string;
  /** Further media types the same answer may come as, chosen by the request (e.g. the export's `format`). */
  readonly alternativeContentTypes?: readonly string[];
}

/** An OpenAPI link: the operation a value of this answer feeds, and how each of its parameters is filled. */
export interface RouteLink {
  readonly operationId: string;
  /** Parameter name → runtime expression, e.g. `$request.path.channel`, `$response.body#/interaction/id`. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly description?: string;
}

/** No parameters / no query / no body: an empty strict object, so anything sent is refused. */
export const NOTHING = z.strictObject({});
type Nothing = typeof NOTHING;

/** What a handler receives: validated input, the caller, and the ledger client of the caller's role. */
export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: ApiKeyInfo;
  /** Signs with the org's Fabric identity of the caller's role, so the chaincode checks the role again. */
  readonly ledger: LedgerClient;
  readonly requestId: string;
  /** The request's headers, for routes that take a standard header (e.g. SSE's `Last-Event-ID`). */
  readonly headers: IncomingHttpHeaders;
}

/** The header of a write answer without a body field for it: the block that committed the transaction (pass as `minBlock`). */
export const BLOCK_NUMBER_HEADER = 'X-Block-Number';

/** What a handler answers; the route helper writes it (after recording an auditor read, if any). */
export interface RouteReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Writes the body itself, for answers that stream (server-sent events); called after the status
   * and headers are set, instead of writing `body`. Resolves when the answer is complete.
   */
  readonly stream?: (response: Response) => Promise<void>;
  /**
   * What the answer read, for the auditor-read log, when its body does not show the records (a
   * summary) or it streams (the stream fills it as it writes). Default: counted from `body`.
   */
  readonly read?: ReadTally;
}

/**
 * One REST operation: its path, the roles that may call it, one zod schema per input part, its
 * documented responses, and its handler. The same definition validates requests, enforces roles
 * and generates the OpenAPI document, so the document cannot drift from the code.
 */
export interface RouteDefinition<
  P extends z.ZodType = Nothing,
  Q extends z.ZodType = Nothing,
  B extends z.ZodType = Nothing,
> {
  readonly method: HttpMethod;
  /** Express-style path below {@link API_BASE}, e.g. `/channels/:channel/interactions/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly roles: readonly Role[];
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Success answers by status. */
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /**
   * OpenAPI links from a success answer (by status) to the operations that take its values, e.g. a
   * create's 201 to the get by id: `parameters` maps each parameter to a runtime expression.
   */
  readonly links?: Readonly<Record<number, Readonly<Record<string, RouteLink>>>>;
  /** Refusals particular to this route (404, 409, 422…); the common ones are added for every route. */
  readonly refusals?: readonly number[];
  /**
   * The route reads ledger records: reads by auditor keys are appended to the auditor-read log, with
   * the data owners of what was read and the subjects it concerned (see {@link RouteReply.read}).
   */
  readonly recordsAuditorRead?: boolean;
  /** Every successful call is appended to the auditor-read log, whatever the caller's role (e.g. salt disclosures). */
  readonly recordsEveryCall?: boolean;
  handle(context: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<RouteReply>;
}

/** A route definition of any input types, as route tables and the OpenAPI builder hold them. */
export type AnyRouteDefinition = RouteDefinition<z.ZodType, z.ZodType, z.ZodType>;

/** Declares a route with its input types inferred from its schemas. */
export function defineRoute<
  P extends z.ZodType = Nothing,
  Q extends z.ZodType = Nothing,
  B extends z.ZodType = Nothing,
>(definition: RouteDefinition<P, Q, B>): AnyRouteDefinition {
  return definition;
}

/** What the route helper needs from the app. */
export interface RouteDeps {
  /** One ledger client per role, each signing with that role's Fabric identity. */
  readonly ledgers: Readonly<Record<Role, LedgerClient>>;
  readonly auditorReadLog: AuditorReadLog;
}

/** Registers route definitions on an (authenticated) router: role check, validation, handler, auditor-read record. */
export function mountRoutes(router: Router, definitions: readonly AnyRouteDefinition[], deps: RouteDeps): void {
  for (const definition of definitions) router[definition.method](definition.path, routeHandler(definition, deps));
}

function routeHandler(definition: AnyRouteDefinition, deps: RouteDeps): RequestHandler {
  const template = `${API_BASE}${definition.path}`;
  return async (req: Request, res: Response) => {
    setRouteTemplate(req, template);
    const caller = authenticatedCaller(req);
    if (!definition.roles.includes(caller.role)) {
      throw new HttpProblem(
        403,
        'Forbidden',
        `role '${caller.role}' may not ${definition.summary.toLowerCase()}; allowed: ${definition.roles.join(', ')}`,
      );
    }
    const errors: FieldError[] = [];
    const parse = (schema: z.ZodType | undefined, value: unknown): unknown => {
      const result = (schema ?? NOTHING).safeParse(value);
      if (result.success) return result.data;
      errors.push(...fieldErrors(result.error, value));
      return undefined;
    };
    const params = parse(definition.params, { ...req.params });
    const query = parse(definition.query, { ...(req.query as Record<string, unknown>) });
    // Routes without a body schema ignore the body; those with one require a JSON object.
    const body = definition.body === undefined ? {} : parse(definition.body, req.body ?? {});
    if (errors.length > 0) throw new HttpProblem(400, 'Invalid request', 'the request is invalid', { errors });

    // pino-http's id, generated by createApp as a UUID string.
    const requestId = typeof req.id === 'string' ? req.id : '';
    const reply = await definition.handle({
      params,
      query,
      body,
      caller,
      ledger: deps.ledgers[caller.role],
      requestId,
      headers: req.headers,
    });

    // HEAD of a streamed answer: its status and headers only. Node drops a HEAD's body writes without
    // back-pressure, so running the stream would page the whole index (or follow events) for nothing.
    if (req.method === 'HEAD' && reply.stream !== undefined) {
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      res.status(reply.status).end();
      return;
    }
    const recorded =
      (definition.recordsAuditorRead === true && caller.role === 'auditor') || definition.recordsEveryCall === true;
    const streamed = reply.stream !== undefined;
    // A stream's records are counted as it writes them; unrecorded answers are not walked at all.
    const tally = reply.read ?? (streamed || !recorded ? new ReadTally() : new ReadTally().records(reply.body));
    const entry = (event: AuditorRead['event']): AuditorRead => ({
      event,
      time: new Date().toISOString(),
      requestId,
      keyName: caller.name,
      role: caller.role,
      route: `${definition.method.toUpperCase()} ${template}`,
      resourceIds: stringValues(params),
      // A stream opens before it has read anything: its opening names only what the request asked about.
      ...(event === 'stream-opened'
        ? withRequestedSubjects(new ReadTally(), params, query, false)
        : withRequestedSubjects(tally, params, query, !tally.hasRecords)
      ).scope(),
    });
    if (recorded) {
      try {
        await deps.auditorReadLog.append(entry(streamed ? 'stream-opened' : 'read'));
      } catch (error) {
        // An auditor read that cannot be recorded is not answered.
        req.log?.error(
          { err: { message: error instanceof Error ? error.message : String(error) } },
          'auditor-read log append failed',
        );
        throw new HttpProblem(
          503,
          'Audit log unavailable',
          'the read could not be recorded in the auditor-read log; try again later',
        );
      }
    }
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (reply.stream !== undefined) {
      res.status(reply.status);
      try {
        await reply.stream(res);
      } finally {
        // What the stream delivered: recorded however it ended (the client left, shutdown, a failure).
        if (recorded) {
          await deps.auditorReadLog.append(entry('stream-closed')).catch((error: unknown) => {
            req.log?.error(
              { err: { message: error instanceof Error ? error.message : String(error) } },
              'auditor-read log append failed for a closed stream',
            );
          });
        }
      }
      return;
    }
    if (reply.body === undefined) res.status(reply.status).end();
    else res.status(reply.status).json(reply.body);
  };
}

/**
 * Notes in `tally` the subjects a request names (a `subjectRef` path or query parameter, or a query
 * by subjectRef). A read that returned no record still concerned them: with `countOwners` it counts
 * once for the org that owns each subject (the org its subjectRef's namespace names).
 */
function withRequestedSubjects(tally: ReadTally, params: unknown, query: unknown, countOwners: boolean): ReadTally {
  const input = { ...((params ?? {}) as Record<string, unknown>), ...((query ?? {}) as Record<string, unknown>) };
  const requested = [input.subjectRef, input.by === 'subjectRef' ? input.value : undefined].filter(
    (value): value is string => typeof value === 'string',
  );
  for (const subjectRef of new Set(requested)) {
    tally.subject(subjectRef);
    const owner = orgNamespaceOf(subjectRef);
    if (countOwners && owner !== undefined) tally.owner(owner);
  }
  return tally;
}

function stringValues(params: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries((params ?? {}) as Record<string, unknown>)) values[name] = String(value);
  return values;
}
