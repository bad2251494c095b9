/**
 * The real server (src/server/main.ts, pages included), started as `npm start` starts it, with one addition for
 * the soak benchmark: asked over IPC, it reports its memory after a full garbage collection (so that the heap
 * figure is what is still alive, not what is waiting to be collected), or writes a heap snapshot.
 * Run with --expose-gc.
 */
import { writeHeapSnapshot } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (message === 'memory') {
    gc?.();
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send!({ rss, heapTotal, heapUsed, external, arrayBuffers });
  }
  if (message === 'snapshot') process.send!({ snapshot: writeHeapSnapshot() });
});

await import('../../src/server/main');
