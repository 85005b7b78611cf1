import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a refused connection may take to read its answer before it is cut. */
const LINGER_MS = 2_000;

/** What Node's HTTP parser refuses before the app sees a request, as the status Node itself would answer. */
function problemFor(code: string | undefined): { status: number; title: string; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        title: 'Request Header Fields Too Large',
        detail: 'The request line and headers together are over the 16 KB the server reads; send a shorter URL or fewer headers.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, title: 'Content Too Large', detail: 'The chunk extensions of the request body are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, title: 'Request Timeout', detail: 'The request did not arrive in time.' };
    default:
      return { status: 400, title: 'Bad Request', detail: 'The request is not valid HTTP/1.1.' };
  }
}

/** The raw HTTP/1.1 answer to a request the parser refused: problem+json (as `problem.ts` renders one), then close. */
export function clientErrorResponse(code: string | undefined): string {
  const { status, title, detail } = problemFor(code);
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  return [
    `HTTP/1.1 ${status} ${title}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Answers what Node's HTTP parser refuses (URL and headers over 16 KB: 431; malformed requests: 400)
 * with a problem+json body instead of Node's bare status line, then closes the connection. Nothing
 * is written to a socket that can no longer take it, or whose current response has begun (that
 * would corrupt it); such a socket is only destroyed. A refused socket is never kept alive: it is
 * ended after the answer and destroyed once the peer closes, or after `LINGER_MS` at the latest.
 */
export function answerClientErrors(server: Server): void {
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser keeps reporting its error for every further chunk on this socket; answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
    socket.on('error', () => socket.destroy());
    socket.end(clientErrorResponse(error.code));
    // Read and drop what the client still sends, so closing never resets the answer away.
    socket.resume();
  });
}

/** An HTTP server for `app` with `answerClientErrors`, listening on host:port. */
export function listen(app: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  answerClientErrors(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
