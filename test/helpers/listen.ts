/**
 * The listen/close scaffolding of the fake servers (openaiServer, faultyChatServer,
 * cloudflareApi, the browser suite's host server): a node:http server on a free
 * loopback port, the sockets it has open, and a close() that ends them all.
 *
 *   const server = createServer(handler);
 *   const listening = await listen(server);   // http://127.0.0.1:<free port>
 *   listening.url; listening.connections();
 *   await listening.close();                  // destroys open sockets (hanging, streaming, idle keep-alive ones too)
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Listening {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> (http://localhost:<port> with `dualStack`), no trailing slash. */
  url: string;
  /** Open sockets (idle keep-alive ones included). */
  connections(): number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 at a free port. With `dualStack`, listens on every address
 * instead (no host), so "localhost" works whether a client resolves it to ::1 or 127.0.0.1.
 */
export async function listen(server: Server, options: { dualStack?: boolean } = {}): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      resolve();
    };
    if (options.dualStack) server.listen(0, ready);
    else server.listen(0, '127.0.0.1', ready);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://${options.dualStack ? 'localhost' : '127.0.0.1'}:${port}`,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
