/** One server-sent event as a client receives it. */
export interface ServerSentEvent {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/**
 * Opens an event stream and collects events until `count` arrived (or `timeoutMs` passed), then
 * disconnects — as a browser's EventSource would when its page closes.
 */
export async function collectEvents(
  url: string,
  headers: Record<string, string>,
  count: number,
  timeoutMs = 60_000,
): Promise<ServerSentEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const received: ServerSentEvent[] = [];
  try {
    const response = await fetch(url, { headers, signal: abort.signal });
    if (response.status !== 200) throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (received.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0 && received.length < count) {
        const fields = new Map<string, string>();
        for (const line of buffer.slice(0, end).split('\n')) {
          const colon = line.indexOf(': ');
          if (!line.startsWith(':') && colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
        }
        buffer = buffer.slice(end + 2);
        const id = fields.get('id');
        if (id !== undefined) received.push({ id, event: fields.get('event') ?? '', data: fields.get('data') ?? '' });
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return received;
}
