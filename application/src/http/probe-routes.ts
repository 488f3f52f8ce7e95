import { Router } from 'express';
import type { LedgerClient } from '../ledger/ledger-client';
import { channelParam } from './channel-param';
import { HttpProblem } from './problem';

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_NOTE_LENGTH = 1024;

export interface ProbeRouteDeps {
  readonly channels: readonly string[];
  readonly ledger: LedgerClient;
}

/**
 * `POST /channels/:channel/probes` records a probe; `GET /channels/:channel/probes/:id` reads it
 * back. The thin end-to-end slice: input is checked here first, and again by the chaincode.
 */
export function probeRoutes({ channels, ledger }: ProbeRouteDeps): Router {
  const router = Router();

  router.post('/channels/:channel/probes', async (req, res) => {
    const channel = channelParam(req, channels);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpProblem(400, 'Invalid request', 'the body must be a JSON object { id, note }');
    }
    const { id, note, ...unknown } = body as Record<string, unknown>;
    const errors: { field: string; message: string }[] = [];
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) errors.push({ field: 'id', message: `must match ${ID_PATTERN.source}` });
    if (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH) {
      errors.push({ field: 'note', message: `must be a string of at most ${MAX_NOTE_LENGTH} characters` });
    }
    for (const field of Object.keys(unknown)) errors.push({ field, message: 'unknown field' });
    if (errors.length > 0) throw new HttpProblem(400, 'Invalid request', 'the request body is invalid', { errors });

    const submitted = await ledger.submit(channel, 'Probe:RecordProbe', [id as string, note as string]);
    res
      .status(201)
      .location(`${req.baseUrl}/channels/${channel}/probes/${id as string}`)
      .json({
        probe: JSON.parse(submitted.result) as unknown,
        transactionId: submitted.transactionId,
        blockNumber: submitted.blockNumber.toString(),
      });
  });

  router.get('/channels/:channel/probes/:id', async (req, res) => {
    const channel = channelParam(req, channels);
    if (!ID_PATTERN.test(req.params.id)) {
      throw new HttpProblem(400, 'Invalid request', 'the id is invalid', { errors: [{ field: 'id', message: `must match ${ID_PATTERN.source}` }] });
    }
    const result = await ledger.evaluate(channel, 'Probe:GetProbe', [req.params.id]);
    res.json({ probe: JSON.parse(result) as unknown });
  });

  return router;
}
