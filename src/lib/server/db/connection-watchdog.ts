import { connect, type Socket } from 'node:net';

/**
 * A connection whose network goes silent (a cable pulled, a firewall dropping packets, a host frozen) is not closed
 * by anyone: a query sent on it waits until TCP gives up, which is many minutes. TCP keepalive does not help while
 * the query's bytes are unacknowledged, nor at all when something in the path (a proxy, a NAT) acknowledges for the
 * server; the server's statement timeout cannot help when its answer never arrives. postgres.js has no query
 * timeout of its own (porsager/postgres#1089).
 *
 * So the app watches its own connections: a connection that owes an answer and has received nothing for
 * `silenceMs` is destroyed, which fails the query with ETIMEDOUT (an unreachable database: 503) and takes the
 * connection out of the pool. A healthy server always answers within the statement timeout (the answer may be the
 * timeout's error), so `silenceMs` is that timeout plus a margin.
 *
 * "Owes an answer" is read from the protocol's framing, not guessed from timing, because postgres.js pipelines
 * queries: every Sync and simple Query the app sends is answered by exactly one ReadyForQuery, and any message sent
 * after the last byte received (a Describe and Flush, a password) awaits a reply. An idle connection owes nothing
 * and is never touched. Only plain connections are watched: over TLS the bytes cannot be read here, and such
 * connections rely on keepalive and the statement timeout alone.
 */
export function watchedSockets(silenceMs: number) {
  let next = 0;
  // postgres.js's socket factory (an option its types leave out): each connection to the server's hosts in turn, as
  // postgres.js would open it.
  return (o: { host: string[]; port: number[]; path?: string | false; ssl?: unknown }): Socket => {
    const i = next++ % o.host.length;
    const socket = o.path ? connect(o.path) : connect(o.port[i]!, o.host[i]!);
    return o.ssl ? socket : watched(socket, silenceMs);
  };
}

function watched(socket: Socket, silenceMs: number): Socket {
  let startupSent = false;
  let syncsSent = 0;
  let readyReceived = 0;
  let sentSinceReceived = false;
  // Where the incoming stream stands: bytes of the current message still to skip, or a partly received header.
  let skip = 0;
  let header = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;

  const owesAnswer = () => syncsSent > readyReceived || sentSinceReceived || skip > 0 || header.length > 0;
  const silent = () =>
    socket.destroy(Object.assign(new Error(`The database sent nothing for ${silenceMs} ms while a query waited for it`), { code: 'ETIMEDOUT' }));
  const arm = () => (timer ??= setTimeout(silent, silenceMs).unref());
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const write = socket.write.bind(socket) as (chunk: Uint8Array, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: Uint8Array | string, ...rest: unknown[]) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    syncsSent += syncPoints(bytes, !startupSent);
    startupSent = true;
    sentSinceReceived = true;
    // The wait is measured from the last byte received, or from this write when nothing was owed before it.
    arm();
    return write(bytes, ...rest);
  }) as Socket['write'];

  socket.on('data', (chunk: Buffer) => {
    sentSinceReceived = false;
    for (let at = 0; at < chunk.length; ) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      const take = chunk.subarray(at, at + 5 - header.length);
      header = Buffer.concat([header, take]);
      at += take.length;
      if (header.length < 5) break;
      if (header[0] === READY_FOR_QUERY) readyReceived++;
      skip = header.readUInt32BE(1) - 4;
      header = Buffer.alloc(0);
    }
    if (owesAnswer()) arm().refresh();
    else stop();
  });
  socket.on('close', stop);
  return socket;
}

const READY_FOR_QUERY = 0x5a; // 'Z'
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'

/**
 * How many answers ending in ReadyForQuery the messages in `bytes` call for. postgres.js writes whole messages; the
 * first one on a connection is the startup message, which has no type byte and is answered by a ReadyForQuery once
 * the server has authenticated the app.
 */
function syncPoints(bytes: Buffer, startsWithStartup: boolean): number {
  let n = 0;
  let at = 0;
  if (startsWithStartup && bytes.length >= 4) {
    n++;
    at = bytes.readUInt32BE(0);
  }
  while (at + 5 <= bytes.length) {
    if (bytes[at] === SYNC || bytes[at] === QUERY) n++;
    at += 1 + bytes.readUInt32BE(at + 1);
  }
  return n;
}
