import { Router } from 'express';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import { decodeTransactionProof } from '../ledger/transaction-proof';
import { channelParam } from './channel-param';
import { HttpProblem } from './problem';

const TX_ID = /^[0-9a-f]{64}$/;

/** `GET /channels/:channel/transactions/:txId`: the transaction's proof, read from the ledger. */
export function transactionRoutes({ channels, ledger }: { channels: readonly string[]; ledger: LedgerClient }): Router {
  const router = Router();
  router.get('/channels/:channel/transactions/:txId', async (req, res) => {
    const channel = channelParam(req, channels);
    const { txId } = req.params;
    if (!TX_ID.test(txId)) {
      throw new HttpProblem(400, 'Invalid request', 'the transaction id is invalid', {
        errors: [{ field: 'txId', message: 'must be 64 lowercase hex characters' }],
      });
    }
    let processed: Uint8Array;
    let block: Uint8Array;
    try {
      processed = await ledger.evaluateSystem(channel, 'qscc', 'GetTransactionByID', [channel, txId]);
      block = await ledger.evaluateSystem(channel, 'qscc', 'GetBlockByTxID', [channel, txId]);
    } catch (error) {
      // qscc answers a plain failure for an unknown id.
      if (error instanceof LedgerError && /not found|no such transaction/i.test(error.message)) {
        throw new HttpProblem(404, 'Not found', `no transaction ${txId} on channel ${channel}`);
      }
      throw error;
    }
    res.json(decodeTransactionProof(processed, block));
  });
  return router;
}
