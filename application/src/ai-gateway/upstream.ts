import { existsSync, readFileSync } from 'node:fs';
import { HttpProblem } from '../http/problem';
import type { GatewayConfig } from './gateway-config';

/** The provider a model is routed to, with what is needed to call it. */
export interface Route {
  readonly provider: string;
  readonly baseUrl: string;
  readonly credentialFile: string | undefined;
}

/**
 * The provider for `model`: its entry in `models`, else `defaultProvider`.
 * @throws HttpProblem 404 when neither routes the model
 */
export function routeModel(config: GatewayConfig, model: string): Route {
  const provider = config.models[model] ?? config.defaultProvider;
  const settings = provider === undefined ? undefined : config.providers[provider];
  if (provider === undefined || settings === undefined)
    throw new HttpProblem(404, 'Model not routed', `no provider is configured for the model '${model}'`, {
      errors: [{ field: 'model', message: 'is routed to no provider' }],
    });
  return { provider, baseUrl: settings.baseUrl.replace(/\/+$/, ''), credentialFile: settings.credentialFile };
}

/** The request headers sent upstream: the provider's credential (read now, never logged) and the body's type. */
export function upstreamHeaders(route: Route): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (route.credentialFile !== undefined) {
    if (!existsSync(route.credentialFile))
      throw new HttpProblem(
        502,
        'Upstream credential missing',
        `the credential of provider '${route.provider}' is not installed`,
      );
    headers.authorization = `Bearer ${readFileSync(route.credentialFile, 'utf8').trim()}`;
  }
  return headers;
}

/** Response headers passed back to the client besides the status and body. */
export const PASSED_RESPONSE_HEADERS = ['content-type', 'x-request-id', 'openai-processing-ms', 'retry-after'] as const;
