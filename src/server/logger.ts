import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

/** Structured logs that never carry a cookie, a password or a hash. */
export const loggerOptions = (level: string) => ({
  level,
  redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.passwordHash'],
});

/** About 2,500 typical request lines: a reader that stops for a while loses nothing, one that never comes back costs 1 MiB. */
const HOLD_LIMIT_BYTES = 1024 * 1024;
/** How often held lines are offered to the reader again when no new line comes to carry them. */
const RETRY_MS = 1000;

/**
 * Where the log goes: a file descriptor (standard output), written as each line is logged, and never waited for.
 *
 * Each line is written before the logging call returns, so a crash, `process.exit` or `kill -9` loses nothing
 * already logged. But whatever reads the output (journald, a container runtime, a pipe) can stop reading, and a
 * clinical service must keep answering, and stop when told to, all the same. pino's own destination (sonic-boom)
 * does not: in its asynchronous mode (pino's default) it piles lines up in memory without limit and, on exit,
 * waits for the reader for ever in `flushSync`; in its synchronous mode it waits on every line. Either way neither
 * SIGTERM nor the forced exit on shutdown gets the process to exit. So here, when the reader takes no more, the
 * rest is held in memory, in order and whole, and offered again with the next line and every second. Past
 * HOLD_LIMIT_BYTES new lines are dropped and counted, and the count is logged once the reader has caught up: the
 * trade-off is lines lost, never the service stalled. The audit trail is in the database, not in this log, so a
 * dropped line never loses the record of a change. When the reader has gone for good (EPIPE), nothing is written.
 *
 * This needs a non-blocking descriptor, else a write to a full pipe waits in the kernel: Node makes a piped or
 * socket standard output non-blocking when `process.stdout` is first used, which `createLogger` does. A write to a
 * file never waits for a reader.
 */
export class LogDestination {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private dropped = 0;
  private gone = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd: number,
    private readonly onCaughtUp: (droppedLines: number) => void,
    private readonly holdLimitBytes = HOLD_LIMIT_BYTES,
  ) {}

  write(line: string): void {
    if (this.gone) return;
    if (this.heldBytes > 0) this.writeHeld();
    const data = Buffer.from(line);
    if (this.heldBytes === 0) {
      const rest = this.writeNow(data);
      if (rest) this.hold(rest); // the rest of a line the reader took in part: held whatever the limit, so it stays whole
      return;
    }
    if (this.heldBytes + data.length > this.holdLimitBytes) this.dropped++;
    else this.hold(data);
  }

  /** Offers the held lines once more, without waiting. pino calls this after a fatal line. */
  flushSync(): void {
    if (!this.gone && this.heldBytes > 0) this.writeHeld();
  }

  /** pino's `logger.flush()`: the same single offer, then `done` at once. */
  flush(done?: (err?: Error) => void): void {
    this.flushSync();
    done?.();
  }

  private hold(data: Buffer) {
    this.held.push(data);
    this.heldBytes += data.length;
    if (!this.retry) {
      this.retry = setInterval(() => this.flushSync(), RETRY_MS);
      this.retry.unref();
    }
  }

  private writeHeld() {
    while (this.held.length > 0) {
      const first = this.held[0]!;
      const rest = this.writeNow(first);
      if (this.gone) return;
      if (rest) {
        this.heldBytes -= first.length - rest.length;
        this.held[0] = rest;
        return;
      }
      this.heldBytes -= first.length;
      this.held.shift();
    }
    clearInterval(this.retry);
    this.retry = undefined;
    if (this.dropped > 0) {
      const dropped = this.dropped;
      this.dropped = 0;
      // Not from inside this write, which pino itself may be making.
      setImmediate(() => this.onCaughtUp(dropped));
    }
  }

  /** Writes what the reader takes now; answers the part it did not take, or null. */
  private writeNow(data: Buffer): Buffer | null {
    let rest = data;
    while (rest.length > 0) {
      let written: number;
      try {
        written = writeSync(this.fd, rest);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE' || code === 'EBADF') {
          this.gone = true;
          this.held = [];
          this.heldBytes = 0;
          clearInterval(this.retry);
          return null;
        }
        return rest; // EAGAIN, the reader is behind; or a passing fault such as a full disk
      }
      if (written === 0) return rest;
      rest = rest.subarray(written);
    }
    return null;
  }
}

/** The server's logger, on standard output through a LogDestination (see there why). */
export function createLogger(level: string): Logger {
  const logger: Logger = pino(
    loggerOptions(level),
    new LogDestination(process.stdout.fd, (droppedLines) => logger.warn({ droppedLines }, 'log lines were dropped while standard output was not read')),
  );
  return logger;
}
