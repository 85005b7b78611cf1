import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../helpers/ports';

// `npm run receiver -- --format wecom --port <port>`: prints the URL, then each message as it arrives.

const root = join(__dirname, '..', '..');

function waitFor(read: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const match = pattern.exec(read());
      if (match || Date.now() - started > timeoutMs) {
        clearInterval(poll);
        if (match) resolve(match);
        else reject(new Error(`no ${pattern} in:\n${read()}`));
      }
    }, 100);
  });
}

describe('npm run receiver', () => {
  it('--format wecom prints the URL to register and each message with its mentions', async () => {
    const port = await freePort();
    const child = spawn('npx', ['tsx', 'scripts/webhook-receiver.ts', '--format', 'wecom', '--port', port], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const [url] = await waitFor(() => output, new RegExp(`http://127\\.0\\.0\\.1:${port}/cgi-bin/webhook/send\\?key=[\\w-]+`), 60_000);
      expect(output).toContain('POST /v1/alert-endpoints');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { content: '**SLA breached: D-77**\nNotify: <@wangwu>' } }),
      });
      expect(await response.json()).toEqual({ errcode: 0, errmsg: 'ok' });
      await waitFor(() => output, /title:\s+SLA breached: D-77[\s\S]*mentions: wangwu/, 10_000);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The whole group: npx, tsx and the node process running the script.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });
});
