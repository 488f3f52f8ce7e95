import type { Response } from 'express';

/**
 * Writes chunks as the client takes them (chunked transfer encoding): after a write fills the
 * socket's buffer it waits for `drain` before asking for the next chunk, so a slow client holds
 * the producer back instead of the app buffering the whole answer.
 *
 * A failure after the headers went out cannot become a problem answer any more: the connection is
 * cut, so the client sees an incomplete chunked body rather than a short one that looks whole.
 */
export async function writeChunks(res: Response, chunks: AsyncIterable<string>): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await drained(res);
      // A client gone while its chunk drained asks for nothing more: no further chunk is produced.
      if (res.destroyed) return;
    }
    res.end();
  } catch (error) {
    res.req.log?.error(
      { err: { message: error instanceof Error ? error.message : String(error) } },
      'streamed answer failed part-way',
    );
    res.destroy();
  }
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
