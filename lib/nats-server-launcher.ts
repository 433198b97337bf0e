// Starts a private nats-server with JetStream on a free port, like nats.js's test launcher:
// a temporary config with `port: -1`, a ports file polled until the server has bound.
// Used by `npm start` when NATS_URL is not set, and by every integration test.
// The server writes its log to a file, never to a pipe: a pipe to a parent that died makes
// the server's later shutdown behave like a crash.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findNatsServerBinary } from './nats-server-binary.ts'
import { dieWithParent, signalAndWait } from './child-process-lifetime.ts'

export { findNatsServerBinary }

export interface NatsServerOptions {
  /** JetStream store directory; kept across restarts so stored messages survive. */
  storeDir?: string
  /** Port to bind; 0 picks a free one (the default). Restarts reuse the first port. */
  port?: number
  binary?: string
  /** Tests only: start an older nats-server (to reproduce its bugs). */
  allowUnsupportedVersion?: boolean
  /** Where to record the server's pid, so a later run can stop it if we crash. */
  pidFile?: string
  /** The server's log file. @default nats-server.log in a temporary directory */
  logFile?: string
  /** Where its config (with the passwords) and ports file go; removed on stop. @default a temporary directory */
  workDir?: string
  /** An `authorization { ... }` block (lib/nats-credentials.ts); unset: no authentication. */
  authorization?: string
  /**
   * JetStream's `sync_interval`: `always` fsyncs every write (no loss on power failure, at a
   * cost the bench measures); unset keeps nats-server's default (every 2 minutes).
   */
  syncInterval?: string
  /** This server's name; JetStream in a cluster knows its peers (and stream leaders) by it. */
  serverName?: string
  /** Joins a cluster: listens for routes on `port` and connects to the other nodes' route ports. */
  cluster?: { name: string; port: number; routes: number[] }
  /** Further config appended as it is, e.g. a `tls { cert_file, key_file }` block. */
  extraConfig?: string
}

export interface NatsServerHandle {
  readonly url: string
  readonly port: number
  readonly storeDir: string
  readonly logFile: string
  /** The running server's process id (benchmarks read its memory). */
  readonly pid: number | undefined
  /** Kills the server (SIGKILL by default: what a crash looks like) and waits for it to exit; restart() brings it back. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Graceful stop. */
  stop(): Promise<void>
  /** Starts it again on the same port with the same store. */
  restart(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = options.allowUnsupportedVersion && options.binary ? options.binary : findNatsServerBinary(options.binary)
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'callmask-nats-')))
  mkdirSync(workDir, { recursive: true, mode: 0o700 })
  const storeDir = options.storeDir ?? join(workDir, 'store')
  mkdirSync(storeDir, { recursive: true })
  const logFile = options.logFile ?? join(workDir, 'nats-server.log')
  let port = options.port ?? 0
  let child: ChildProcess | undefined

  async function launch(): Promise<void> {
    const portsDir = await mkdtemp(join(workDir, 'ports-'))
    const configPath = join(workDir, 'nats.conf')
    writeFileSync(
      configPath,
      [
        `listen: 127.0.0.1:${port === 0 ? -1 : port}`,
        `ports_file_dir: ${JSON.stringify(portsDir)}`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)}${options.syncInterval ? `, sync_interval: ${options.syncInterval}` : ''} }`,
        options.serverName ? `server_name: ${JSON.stringify(options.serverName)}` : '',
        options.cluster ? clusterBlock(options.cluster) : '',
        options.authorization ?? '',
        options.extraConfig ?? '',
        '',
      ].join('\n'),
      { mode: 0o600 },
    )
    const logFd = openSync(logFile, 'a', 0o600)
    const proc = spawn(binary, ['-c', configPath], { stdio: ['ignore', logFd, logFd], detached: false })
    closeSync(logFd)
    if (options.pidFile && proc.pid) writeFileSync(options.pidFile, `${proc.pid}\n`)
    const stderr = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '')
    child = proc
    // A server we started must not outlive us, even when we exit without cleaning up.
    dieWithParent(proc)
    port = await waitForPort(portsDir, proc, stderr)
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const proc = child
    child = undefined
    if (proc) await signalAndWait(proc, signal)
  }

  async function removeWorkDir(): Promise<void> {
    rmSync(workDir, { recursive: true, force: true })
    if (options.pidFile) rmSync(options.pidFile, { force: true })
  }

  await launch()
  const handle: NatsServerHandle = {
    get url() {
      return `nats://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    storeDir,
    logFile,
    get pid() {
      return child?.pid
    },
    kill: (signal = 'SIGKILL') => terminate(signal),
    stop: async () => {
      await terminate('SIGTERM')
      await removeWorkDir()
    },
    restart: async () => {
      await terminate('SIGTERM')
      await launch()
    },
    [Symbol.asyncDispose]: async () => {
      await terminate('SIGTERM')
      await removeWorkDir()
    },
  }
  return handle
}

function clusterBlock(cluster: NonNullable<NatsServerOptions['cluster']>): string {
  const routes = cluster.routes.map((port) => JSON.stringify(`nats-route://127.0.0.1:${port}`)).join(', ')
  return `cluster { name: ${JSON.stringify(cluster.name)}, listen: 127.0.0.1:${cluster.port}, routes: [${routes}] }`
}

function parsePorts(text: string): { nats?: string[] } | undefined {
  try {
    return JSON.parse(text) as { nats?: string[] }
  } catch {
    return undefined
  }
}

async function waitForPort(portsDir: string, proc: ChildProcess, stderr: () => string): Promise<number> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      throw new Error(`nats-server exited with code ${proc.exitCode} before listening: ${stderr().trim()}`)
    }
    const file = readdirSync(portsDir).find((f) => f.endsWith('.ports'))
    if (file) {
      // The server may still be writing it: an empty or partial file is read again next turn.
      const ports = parsePorts(readFileSync(join(portsDir, file), 'utf8'))
      const first = ports?.nats?.[0]
      if (first) return Number(new URL(first).port)
    }
    await sleep(25)
  }
  proc.kill('SIGKILL')
  throw new Error(`nats-server did not report a port within 10 s: ${stderr().trim()}`)
}
