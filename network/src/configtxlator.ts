import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FabricBinaries } from './binaries';
import { run } from './command';

/** Protobuf message types this tool converts (Fabric's `common.*`). */
export type ConfigMessageType = 'common.Block' | 'common.Config' | 'common.ConfigUpdate' | 'common.Envelope';

/**
 * Fabric's configtxlator run as a command (no REST server): protobuf ⇄ JSON and the difference of two
 * configurations. Each call works in a scratch directory of its own, removed afterwards.
 */
export class Configtxlator {
  constructor(private readonly binaries: FabricBinaries) {}

  private async inScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'aal-configtxlator-'));
    try {
      return await work(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Decodes protobuf bytes of `type` into its JSON form. */
  async decode(type: ConfigMessageType, bytes: Buffer): Promise<unknown> {
    return this.inScratch(async (dir) => {
      const input = join(dir, 'in.pb');
      const output = join(dir, 'out.json');
      writeFileSync(input, bytes);
      await run(this.binaries.configtxlator, ['proto_decode', '--input', input, '--type', type, '--output', output]);
      return JSON.parse(readFileSync(output, 'utf8')) as unknown;
    });
  }

  /** Encodes the JSON form of a message of `type` into protobuf bytes. */
  async encode(type: ConfigMessageType, value: unknown): Promise<Buffer> {
    return this.inScratch(async (dir) => {
      const input = join(dir, 'in.json');
      const output = join(dir, 'out.pb');
      writeFileSync(input, JSON.stringify(value));
      await run(this.binaries.configtxlator, ['proto_encode', '--input', input, '--type', type, '--output', output]);
      return readFileSync(output);
    });
  }

  /**
   * The `common.ConfigUpdate` (protobuf) that turns `original` into `updated` (both `common.Config`
   * JSON) on `channel`; configtxlator refuses when nothing differs.
   */
  async computeUpdate(channel: string, original: unknown, updated: unknown): Promise<Buffer> {
    const [originalPb, updatedPb] = [
      await this.encode('common.Config', original),
      await this.encode('common.Config', updated),
    ];
    return this.inScratch(async (dir) => {
      const files = {
        original: join(dir, 'original.pb'),
        updated: join(dir, 'updated.pb'),
        output: join(dir, 'update.pb'),
      };
      writeFileSync(files.original, originalPb);
      writeFileSync(files.updated, updatedPb);
      await run(this.binaries.configtxlator, [
        'compute_update',
        '--channel_id',
        channel,
        '--original',
        files.original,
        '--updated',
        files.updated,
        '--output',
        files.output,
      ]);
      return readFileSync(files.output);
    });
  }
}
