import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogDestination } from '../../src/server/logger';

/** A real pipe whose reader the test drives: it reads only when told to, or goes away. */
function pipe() {
  const dir = mkdtempSync(join(tmpdir(), 'pp-log-'));
  const path = join(dir, 'log');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  // Non-blocking, as Node makes a piped standard output.
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  let readerOpen = true;
  const buffer = Buffer.alloc(64 * 1024);
  const pipe = {
    writer,
    /** Everything the pipe holds now. */
    readAll() {
      let text = '';
      for (;;) {
        try {
          const n = readSync(reader, buffer);
          if (n === 0) return text;
          text += buffer.toString('utf8', 0, n);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return text;
          throw e;
        }
      }
    },
    closeReader() {
      closeSync(reader);
      readerOpen = false;
    },
    dispose() {
      if (readerOpen) closeSync(reader);
      closeSync(writer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cleanups.push(() => pipe.dispose());
  return pipe;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const line = (i: number) => `{"n":${i},"msg":"${'x'.repeat(90)}"}\n`;
const nextTick = () => new Promise((resolve) => setImmediate(resolve));

describe('the log destination', () => {
  it('writes each line as it is logged', () => {
    const p = pipe();
    const destination = new LogDestination(p.writer, () => {});
    destination.write(line(1));
    expect(p.readAll()).toBe(line(1));
  });

  it('never waits for a reader that has stopped: it holds lines up to its limit, in order and whole, and drops the rest', async () => {
    const p = pipe();
    const reports: number[] = [];
    const destination = new LogDestination(p.writer, (dropped) => reports.push(dropped), 4096);
    const logged = 2000; // 200 KB: far more than the pipe (64 KiB) and the limit hold
    for (let i = 0; i < logged; i++) destination.write(line(i));

    let received = p.readAll(); // the reader comes back
    destination.flushSync();
    received += p.readAll();
    await nextTick();

    const lines = received.split('\n').slice(0, -1);
    expect(received.endsWith('\n')).toBe(true);
    const numbers = lines.map((l) => (JSON.parse(l) as { n: number }).n);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.length).toBeLessThan(logged);
    // Every line is either written or counted as dropped, and the count is reported once the reader has caught up.
    expect(reports).toEqual([logged - numbers.length]);
  });

  it('writes held lines when the reader catches up, even if nothing more is logged', async () => {
    const p = pipe();
    const reports: number[] = [];
    const destination = new LogDestination(p.writer, (dropped) => reports.push(dropped), 1024 * 1024);
    for (let i = 0; i < 1000; i++) destination.write(line(i));
    let received = p.readAll();
    await expect.poll(() => (received += p.readAll()).split('\n').length - 1, { timeout: 10_000 }).toBe(1000);
    expect(reports).toEqual([]);
  });

  it('stops writing, without failing, once the reader has gone', () => {
    const p = pipe();
    const destination = new LogDestination(p.writer, () => {});
    p.closeReader();
    expect(() => {
      destination.write(line(1));
      destination.write(line(2));
      destination.flushSync();
    }).not.toThrow();
  });
});
