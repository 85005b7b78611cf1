import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../config';
import { SopRejectedError, type SopService } from './sop-service';

const SOP_FILE = /\.(ya?ml|json)$/i;

/**
 * Publishes every SOP file in `dir`, idempotently. A file that does not lint, or that changes a
 * published version, is bad configuration: the error names the file and says what to do.
 */
export async function publishSopFiles(
  dir: string,
  sops: SopService,
): Promise<Array<{ file: string; id: string; version: number; created: boolean }>> {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((file) => SOP_FILE.test(file))
      .sort();
  } catch {
    throw new ConfigError([{ variable: 'SOP_DIR', message: `cannot read the folder ${path.resolve(dir)}` }]);
  }
  const published = [];
  for (const file of files) {
    const where = path.join(dir, file);
    let definition: unknown;
    try {
      definition = parse(readFileSync(where, 'utf8'));
    } catch (error) {
      throw new ConfigError([{ variable: 'SOP_DIR', message: `${where} is not valid YAML or JSON: ${(error as Error).message}` }]);
    }
    try {
      published.push({ file, ...(await sops.publish(definition)) });
    } catch (error) {
      if (!(error instanceof SopRejectedError)) throw error;
      const detail = error.rejection.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
      const fix =
        error.rejection.code === 'sop_version_conflict'
          ? 'it changes a published version; bump its version to publish the change'
          : 'it does not lint';
      throw new ConfigError([{ variable: 'SOP_DIR', message: `${where}: ${fix} (${detail})` }]);
    }
  }
  return published;
}
