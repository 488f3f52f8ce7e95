import type { StoredInteraction } from '@aal/ledger-contract';

/** Export formats of the audit export. */
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/**
 * CSV columns: every field of a stored interaction, nested fields flattened with dots. Lists are
 * joined with `|`, which no label or id may contain. Values are written verbatim (RFC 4180 quoting
 * only, no spreadsheet formula escaping, so the export stays exact): import them as text.
 */
export const CSV_COLUMNS = [
  'id',
  'org',
  'recordedBy',
  'txId',
  'txTime',
  'startTime',
  'endTime',
  'provider',
  'operation',
  'requestModel',
  'responseModel',
  'responseId',
  'usage.inputTokens',
  'usage.outputTokens',
  'usage.cacheReadTokens',
  'usage.reasoningTokens',
  'usage.source',
  'cost.status',
  'cost.amountMinor',
  'cost.currency',
  'cost.priceTableVersion',
  'latencyMs',
  'timeToFirstTokenMs',
  'status',
  'errorType',
  'finishReasons',
  'actorRef',
  'applicationId',
  'conversationId',
  'promptCommitment',
  'outputCommitment',
  'subjectRef',
  'consentId',
  'purpose',
  'dataCategories',
  'tags',
  'modelArtifactId',
  'consentCheck.allowed',
  'consentCheck.consentId',
  'consentCheck.reason',
  'batchId',
  'leafIndex',
] as const;

function valueAt(record: StoredInteraction, column: string): unknown {
  let value: unknown = record;
  for (const part of column.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (Array.isArray(value)) text = value.map((item) => String(item)).join('|');
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV header line (CRLF-terminated, as RFC 4180 asks). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** One record as a line of the export format. */
export function exportLine(record: StoredInteraction, format: ExportFormat): string {
  if (format === 'ndjson') return `${JSON.stringify(record)}\n`;
  return `${CSV_COLUMNS.map((column) => csvCell(valueAt(record, column))).join(',')}\r\n`;
}
