import { z } from 'zod';

/**
 * Public proof that an org erased a subject (`Subjects:RecordErasureReceipt`): what, when, by whom —
 * no identifier, no key. `erasedAt` is the receipt transaction's time, at which every endorsing peer
 * verified that the subject key was gone.
 */
export const erasureReceiptSchema = z.object({
  subjectRef: z.string(),
  org: z.string().describe('erasing org (MSP id), from the certificate'),
  erasedAt: z.string(),
  erasedBy: z.string().describe('enrollment id of the admin user who recorded the receipt'),
  txId: z.string(),
});
export type ErasureReceipt = z.output<typeof erasureReceiptSchema>;
