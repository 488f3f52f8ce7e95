/**
 * The names of the files an org's app keeps in its org directory (`<network dir>/orgs/<slug>/`),
 * declared once for the app, its admin commands and the network tool that lays the directory out.
 */
export const ORG_FILES = {
  /** The REST API's keys (hashes only, mode 0600). */
  apiKeys: 'api-keys.json',
  /** The AI gateway's keys, one per application: the key's name is the applicationId (hashes only). */
  aiGatewayKeys: 'ai-gateway-keys.json',
  /** The AI gateway's configuration: providers, models, prices, consent modes. */
  aiGatewayConfig: 'ai-gateway.json',
  /** The AI gateway's durable outbox of records not yet on the ledger. */
  aiGatewayOutbox: 'ai-gateway-outbox.sqlite',
} as const;
