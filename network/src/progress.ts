/** Progress lines for long operations: one prefix, time-stamped, on stderr (stdout stays for data). */
export function log(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[network ${time}] ${message}\n`);
}
