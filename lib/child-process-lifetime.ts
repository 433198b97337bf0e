// The lifetime of a child process this one started (a nats-server, and in the tests and
// benchmarks ClickHouse, haproxy, callmask services): it must not outlive us, however we
// exit, and stopping it means signalling it and waiting for its exit.
import type { ChildProcess } from 'node:child_process'

/** SIGKILLs `proc` when this process exits, unless it exited first. */
export function dieWithParent(proc: ChildProcess): void {
  const killOnExit = () => proc.kill('SIGKILL')
  process.once('exit', killOnExit)
  proc.once('exit', () => process.removeListener('exit', killOnExit))
}

/**
 * Sends `signal` unless `proc` has already exited, and resolves once it has. With `killAfterMs`,
 * a process still running that long after the signal is sent SIGKILL (a stop that hangs must not
 * hang its caller).
 */
export async function signalAndWait(proc: ChildProcess, signal: NodeJS.Signals, options: { killAfterMs?: number } = {}): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  proc.kill(signal)
  if (options.killAfterMs === undefined) return exited
  const escalation = setTimeout(() => proc.kill('SIGKILL'), options.killAfterMs)
  await exited
  clearTimeout(escalation)
}
