import { fork } from 'node:child_process';

/** Starts tests/bench/api-server.ts in a child process and waits for its address; its logs are read and dropped. */
export async function startApiServer(databaseUrl: string) {
  const child = fork('tests/bench/api-server.ts', [], { execArgv: ['--import', 'tsx'], env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /^listening (\S+)$/m.exec(String(d));
      if (!m) return;
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    address,
    /** The server's resident memory, and the CPU time it has used so far (user and system); `phase` names the load that starts now. */
    usage: (phase: string | null) =>
      new Promise<{ rss: number; cpuMs: number }>((resolve) => {
        child.once('message', (m: { rss: number; cpuMicros: NodeJS.CpuUsage }) => resolve({ rss: m.rss, cpuMs: (m.cpuMicros.user + m.cpuMicros.system) / 1000 }));
        child.send({ usage: phase });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
