// `npm run simulate -- <draft.yaml> [--status closed|open|all] [--from ISO] [--to ISO] [--limit N]`:
// asks a running service (API_URL, API_KEY of an admin, ops or manager) what the draft would have
// done to the SOP's recorded deals, and prints the comparison stage by stage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { simulationTable, type SimulationAnswerText } from './simulation-table';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { status: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } },
});
const file =
  positionals[0] ?? fail('Usage: npm run simulate -- <draft.yaml> [--status closed|open|all] [--from ISO] [--to ISO] [--limit N]');
const apiUrl = (process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const apiKey = process.env.API_KEY ?? fail('Set API_KEY to an admin, ops or manager API key (npm start prints dev keys).');

let sop: { id?: unknown };
try {
  sop = parse(readFileSync(file, 'utf8')) as { id?: unknown };
} catch (error) {
  fail(`${file} is not a readable YAML or JSON file: ${(error as Error).message}`);
}
const sopId = typeof sop?.id === 'string' ? sop.id : fail(`${file} has no SOP id at the top level.`);
const deals = {
  ...(values.status && { status: values.status }),
  ...(values.from && { openedFrom: values.from }),
  ...(values.to && { openedTo: values.to }),
  ...(values.limit && { limit: Number(values.limit) }),
};

async function main(): Promise<void> {
  const response = await fetch(`${apiUrl}/v1/sops/${encodeURIComponent(sopId)}/simulations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sop, deals }),
  }).catch((error: Error) => fail(`Cannot reach the service at ${apiUrl}: ${error.message}`));
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!response.ok) {
    const problems = (body?.errors as Array<{ path: string; message: string }> | undefined) ?? [];
    fail(
      [
        `${response.status} ${String(body?.detail ?? response.statusText)}`,
        ...problems.map((p) => `  ${p.path || '(body)'}: ${p.message}`),
      ].join('\n'),
    );
  }
  console.log(simulationTable(body as unknown as SimulationAnswerText));
}

void main();
