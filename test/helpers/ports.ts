import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** Every port handed out in this process: a test that asks for four ports gets four different ones. */
const handedOut = new Set<number>();

/**
 * The range the OS draws from for `listen(0)` and outgoing connections. A port we pick there and
 * close can be taken again a moment later, e.g. by the ports a Temporal dev server picks at random
 * for its HTTP API, metrics and internal services, or by any client's outgoing connection.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low <= high) return [low, high];
  } catch {
    // not Linux
  }
  return [49152, 65535];
}

function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A loopback port free right now, for a server a test starts as a separate process: never one this
 * process handed out before and, where the OS leaves room, outside its ephemeral range, so nothing
 * that binds port 0 or connects out can take it before the server binds it.
 */
export async function freePort(): Promise<string> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  for (let attempt = 0; attempt < 100 && ephemeralLow - low >= 1_000; attempt += 1) {
    const candidate = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (handedOut.has(candidate)) continue;
    // Reserved before the check awaits, so concurrent calls never pick the same one.
    handedOut.add(candidate);
    if ((await listenOn(candidate)) !== null) return String(candidate);
  }
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = await listenOn(0);
    if (port !== null && !handedOut.has(port)) {
      handedOut.add(port);
      return String(port);
    }
  }
  throw new Error('no free loopback port found in 200 attempts');
}
