// `freePort`, which the process tests use for every port a child service binds.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../helpers/ports';

test('never hands out a port twice, and each is free to bind when handed out', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 200; i += 1) ports.push(Number(await freePort()));
  expect(new Set(ports).size).toBe(ports.length);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

(process.platform === 'linux' ? test : test.skip)(
  'on Linux, stays below the ephemeral range, which the embedded server and outgoing connections draw from',
  async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(ports.map(Number).filter((port) => port >= low)).toEqual([]);
  },
);
