import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of PostgreSQL that a test can cut, silence and restore, as faults would: `cut` is the
 * database server stopping (connections closed, new ones refused), `silence` a network that drops every packet
 * (connections stay open, new ones are accepted, and nothing passes either way).
 */
export function tcpRelay(target: URL) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  let port = 0;
  let silent = false;
  let swallowed = 0;
  let dropOn: { marker: string; times: number } | undefined;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const relay = {
    async start() {
      silent = false;
      server = createServer((client) => {
        track(client);
        clients.add(client);
        client.on('close', () => clients.delete(client));
        client.on('data', (d: Buffer) => {
          if (silent) swallowed += d.length;
        });
        if (silent) return;
        const upstream = connect(Number(target.port), target.hostname);
        track(upstream);
        client.on('data', (d: Buffer) => {
          if (dropOn && dropOn.times > 0 && d.includes(dropOn.marker)) {
            dropOn.times--;
            return client.resetAndDestroy();
          }
          if (!silent) upstream.write(d);
        });
        upstream.on('data', (d: Buffer) => !silent && client.write(d));
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => !silent && client.destroy());
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      return port;
    },
    /** The same database URL, through the relay. */
    url() {
      const via = new URL(target);
      via.port = String(port);
      return via.toString();
    },
    async cut() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
    silence() {
      silent = true;
    },
    /** The next `times` connections on which the client sends `marker` are reset there, as a failing network would. */
    dropWhenClientSends(marker: string, times: number) {
      dropOn = { marker, times };
    },
    /** Client connections open through the relay. */
    openConnections: () => clients.size,
    /** Bytes that clients sent into the silence: a query waiting on a dead connection shows here. */
    swallowedBytes: () => swallowed,
    async close() {
      if (server?.listening) await relay.cut();
      else for (const s of sockets) s.destroy();
    },
  };
  return relay;
}
