/**
 * A local HTTP server for the test model servers: 127.0.0.1 on a random port, a handler whose
 * failures become a 500, and a close that drops open connections (streams cut mid-way included).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A listening server. */
export interface LocalServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 with `handle`. */
export async function listenLocal(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `test server: ${(error as Error).message}` } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
