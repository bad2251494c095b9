import { fork } from 'node:child_process';

/** Starts tests/bench/api-server.ts in a child process and waits for its address. */
export async function startApiServer(databaseUrl: string) {
  const child = fork('tests/bench/api-server.ts', [], { execArgv: ['--import', 'tsx'], env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\S+)/.exec(String(d));
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    address,
    rss: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { rss: number }) => resolve(m.rss));
        child.send('memory');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
