// Runs the load generator (load-generator.ts) in a child process, so that its CPU time is
// not taken from the server under test's event loop (on 2 cores they still share the
// machine), and returns what it measured.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface LoadOptions {
  url: string
  key: string
  /** Unique per run: session ids are `<runId>s<index>`. */
  runId: string
  sessions: number
  /** saturate: keep `window` frames unacknowledged per session; steady: send at `ratePerSession`. */
  mode: 'saturate' | 'steady'
  /** Frames in flight per session (saturate). */
  window: number
  /** Frames per second per session (steady). */
  ratePerSession: number
  /** Load runs this long before the measured window starts. */
  warmupMs: number
  /** Length of the measured window; 0 = until every session sent framesPerSession. */
  durationMs: number
  /** Frames per session; 0 = unbounded (then durationMs bounds the run). */
  framesPerSession: number
  /** After sending stops, how long to wait for the last acks. */
  drainTimeoutMs: number
}

export interface LoadResult {
  sessions: number
  framesSent: number
  framesAcked: number
  bytesAcked: number
  /** ClickHouse rows the acknowledged frames become. */
  rowsAcked: number
  /** Per session, the highest seq acknowledged (acks are cumulative: 1..upToSeq are stored). */
  ackedPerSession: { sessionId: string; upToSeq: number }[]
  /** Epoch ms (performance.timeOrigin based) when the first frame was sent. */
  startedAt: number
  /** Epoch ms when the last frame was acknowledged. */
  allAckedAt: number
  /** Frames and bytes acknowledged inside the measured window. */
  measured: { frames: number; bytes: number; seconds: number }
  /** Send -> ack (stored in JetStream) of frames sent inside the measured window, steady mode only. */
  ackLatencyMs?: { p50: number; p99: number; max: number; count: number }
  errors: Record<string, number>
  cpuSeconds: number
  /** The load generator's own peak resident memory. */
  maxRssBytes: number
  bufferutil: boolean
}

export function runLoadGenerator(options: LoadOptions, timeoutMs = 120_000): Promise<LoadResult> {
  const entry = fileURLToPath(new URL('./load-generator.ts', import.meta.url))
  // process.execArgv carries tsx's loader, so the child runs TypeScript too.
  const child = fork(entry, [JSON.stringify(options)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise<LoadResult>((resolve, reject) => {
    let result: LoadResult | undefined
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`load generator did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('message', (message) => {
      result = message as LoadResult
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (result) resolve(result)
      else reject(new Error(`load generator exited (${signal ?? code}) without a result`))
    })
  })
}
