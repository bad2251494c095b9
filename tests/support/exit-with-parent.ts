/**
 * Loaded (`--import`) into every server process a test starts, never into production. The test process that
 * started the server holds an IPC channel to it; when that process is gone (finished, crashed or killed), the
 * channel closes, and the server is stopped as a service manager would stop it, so it cannot outlive the run.
 */
process.on('disconnect', () => {
  process.kill(process.pid, 'SIGTERM');
  // Should the stop itself hang, the server must go all the same.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 60_000).unref();
});
// The channel is only listened to: it must not keep the server alive, nor change when it exits.
process.channel?.unref();
