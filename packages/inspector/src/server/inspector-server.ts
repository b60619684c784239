/**
 * The HTTP server of `cairn ui`: the built page and the JSON API over an `InspectorBackend`.
 *
 * Invariants (ADR 0175):
 * - it listens on 127.0.0.1 only, and answers only requests whose Host is that address or
 *   `localhost` with its port (a DNS-rebinding page gets 403);
 * - every API call carries the access token as a bearer header: none → 401, a wrong one → 403,
 *   compared in constant time; the page reads it from the URL fragment, which no request carries;
 * - no CORS headers, ever; a strict CSP (own scripts and styles only, no inline code, no framing),
 *   `nosniff` and `no-referrer` on every response;
 * - request bodies are JSON, at most 64 KiB, read as a stream and refused once past the limit.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InspectorBackend } from '../backend.ts';
import { bearerToken, newAccessToken, tokenMatches } from './access-token.ts';
import { ApiError, type ApiResponse, errorResponse, handleApi } from './api-routes.ts';
import { loadAssets } from './static-assets.ts';

/** The page's Content-Security-Policy. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_BODY_BYTES = 64 * 1024;

/** Options of `startInspectorServer`. */
export interface StartInspectorServerOptions {
  backend: InspectorBackend;
  /** Port to listen on (default 0: the OS picks a free one). */
  port?: number;
  /** The access token (default: 32 random bytes). */
  token?: string;
  /** Where the built page is (default: the package's ui-dist/). */
  assetsDir?: string;
}

/** A running inspector server. */
export interface InspectorServer {
  /** `http://127.0.0.1:<port>/#token=<token>`: open it in a browser. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function sendJson(res: ServerResponse, answer: ApiResponse): void {
  send(res, answer.status, 'application/json; charset=utf-8', JSON.stringify(answer.body));
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return reject(new ApiError(415, 'unsupported-media-type', 'send the body as application/json'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'payload-too-large', `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new ApiError(400, 'invalid-argument', 'the body must be a JSON object'));
      }
    });
  });
}

/**
 * Serve the inspector over `backend` on 127.0.0.1.
 *
 * @example
 * const server = await startInspectorServer({ backend: createRuntimeBackend(runtime, { canDrive: true }) });
 * console.log(`Open ${server.url}`);
 */
export async function startInspectorServer(options: StartInspectorServerOptions): Promise<InspectorServer> {
  const assets = loadAssets(options.assetsDir);
  const token = options.token ?? newAccessToken();
  let port = 0;
  const server = createServer((req, res) => {
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(req.headers.host ?? '')) return send(res, 403, 'text/plain', 'unknown host');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) {
      const given = bearerToken(req.headers.authorization);
      if (given === null) return sendJson(res, errorResponse(new ApiError(401, 'unauthorized', 'missing access token')));
      if (!tokenMatches(given, token)) return sendJson(res, errorResponse(new ApiError(403, 'forbidden', 'wrong access token')));
      void handleApi(options.backend, { method: req.method ?? 'GET', url, body: () => readBody(req) }).then(
        (answer) => sendJson(res, answer),
        (error: unknown) => sendJson(res, errorResponse(error)),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    // Browsers ask for it unprompted; there is none, and a 404 would be logged as an error.
    if (url.pathname === '/favicon.ico') return send(res, 204, 'text/plain', '');
    const asset = assets(url.pathname);
    if (!asset) return send(res, 404, 'text/plain', 'not found');
    send(res, 200, asset.type, asset.bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
