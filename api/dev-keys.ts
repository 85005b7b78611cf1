import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiKey } from '../config';
import type { Role } from '../domain';

const DEV_SUBJECTS: ReadonlyArray<[Role, string]> = [
  ['admin', 'admin'],
  ['ops', 'ops-team'],
  ['manager', 'mia'],
  ['rep', 'alice'],
  ['rep', 'bob'],
  ['viewer', 'victor'],
];

/**
 * Development keys for a machine without `API_KEYS`: generated once and kept in DATA_DIR, so a
 * restart keeps them. The API never runs without auth.
 */
export function developmentKeys(dataDir: string): ApiKey[] {
  const file = path.join(dataDir, 'dev-api-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ApiKey[];
  const keys = DEV_SUBJECTS.map(([role, subject]) => ({ token: `dev_${role}_${randomBytes(18).toString('base64url')}`, role, subject }));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}
