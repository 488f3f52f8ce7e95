import { z } from 'zod';

/** The chaincode's id rule (`[A-Za-z0-9._:-]{1,128}`), checked here first so bad ids never reach the ledger. */
export const recordIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits or . _ : -');

/** RFC 3339 date-time with a time zone, as the chaincode takes times. */
export const dateTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, { error: 'must be an RFC 3339 date-time with a time zone, e.g. 2026-01-31T12:00:00Z', abort: true })
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a real date and time');

/** Short printable labels (purposes, names, categories), the chaincode's label rule. */
export const labelSchema = (maxLength: number) =>
  z
    .string()
    // abort: one message per field — an empty or overlong value need not also be told its characters are wrong.
    .min(1, { error: 'must not be empty', abort: true })
    .max(maxLength, { error: `must be at most ${maxLength} characters`, abort: true })
    .regex(/^[\p{L}\p{N} ._:/-]+$/u, 'must be letters, digits, spaces and . _ : / -');

/** Free text without control characters (reasons, notes, identifiers). */
export const printableTextSchema = (maxLength: number) =>
  z
    .string()
    // abort: one message per field — an empty or overlong value need not also be told its characters are wrong.
    .min(1, { error: 'must not be empty', abort: true })
    .max(maxLength, { error: `must be at most ${maxLength} characters`, abort: true })
    .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
