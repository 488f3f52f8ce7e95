import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { writeChunks } from './chunked-body';

/** A response whose socket is full after every write until `drain`, and that a client can close. */
class FullSocketResponse extends EventEmitter {
  destroyed = false;
  ended = false;
  readonly written: string[] = [];
  write(chunk: string): boolean {
    this.written.push(chunk);
    return false;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The client goes away: the connection closes. */
  close(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

/** Chunks counted as they are asked for: each one stands for a page read from the index. */
function countedChunks(total: number): { chunks: AsyncGenerator<string>; asked: () => number } {
  let asked = 0;
  async function* chunks(): AsyncGenerator<string> {
    for (let i = 0; i < total; i++) {
      asked += 1;
      await Promise.resolve(); // a page read
      yield `chunk ${i}\n`;
    }
  }
  return { chunks: chunks(), asked: () => asked };
}

describe('writeChunks', () => {
  it('asks for the next chunk only after the previous one drained, and writes every chunk then ends', async () => {
    const res = new FullSocketResponse();
    const { chunks, asked } = countedChunks(3);
    const done = writeChunks(res as unknown as Response, chunks);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked()).toBe(1);
    for (let i = 0; i < 3; i++) {
      res.emit('drain');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(res.written).toEqual(['chunk 0\n', 'chunk 1\n', 'chunk 2\n']);
    expect(res.ended).toBe(true);
  });

  it('asks for nothing more once the client has gone while a chunk drained', async () => {
    const res = new FullSocketResponse();
    const { chunks, asked } = countedChunks(10);
    const done = writeChunks(res as unknown as Response, chunks);
    await new Promise((resolve) => setImmediate(resolve));
    res.close();
    await done;
    expect(asked()).toBe(1);
    expect(res.written).toEqual(['chunk 0\n']);
    expect(res.ended).toBe(false);
  });
});
