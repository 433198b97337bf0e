// What every benchmark prints: one machine-readable line `BENCH {json}` (run-all.ts
// collects these) and one human line. Plus the small numeric helpers they share.
import { cpus } from 'node:os'
import { createLogger, type Logger } from '../lib/logger.ts'
import pino from 'pino'

export const benchPrefix = 'BENCH '

export function report(figures: { benchmark: string } & Record<string, unknown>, human: string): void {
  const machine = { ...figures, cores: cpus().length, node: process.version }
  process.stdout.write(`${benchPrefix}${JSON.stringify(machine)}\n${human}\n`)
}

/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export const round = (value: number, digits = 0): number => {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** `--name=value` arguments as numbers, with defaults. */
export function numericArgs<T extends Record<string, number>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, number> = { ...defaults }
  for (const arg of argv) {
    const match = /^--([a-zA-Z]+)=(\d+(?:\.\d+)?)$/.exec(arg)
    if (!match || !(match[1]! in defaults)) throw new Error(`unknown argument ${arg}; known: ${Object.keys(defaults).map((k) => `--${k}=N`).join(' ')}`)
    out[match[1]!] = Number(match[2])
  }
  return out as T
}

/** Warnings and errors of the parts under test go to stderr, so stdout stays the report. */
export function benchLogger(): Logger {
  return createLogger('warn', pino.destination(2))
}

/** CPU seconds this process used between two calls. */
export function cpuMeter(): () => number {
  const start = process.cpuUsage()
  return () => {
    const used = process.cpuUsage(start)
    return (used.user + used.system) / 1e6
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Monotonic wall clock in epoch milliseconds, comparable across processes on one machine. */
export const nowMs = (): number => performance.timeOrigin + performance.now()

/** Waits until `stored()` reaches `rows` or `withinMs` pass; returns nowMs() then. */
export async function waitForRows(stored: () => number, rows: number, withinMs: number): Promise<number> {
  const deadline = nowMs() + withinMs
  while (stored() < rows && nowMs() < deadline) await sleep(2)
  return nowMs()
}

/** Rows stored so far, sampled every 2 ms while a run lasts: [nowMs(), rows] at each change. */
export function trackStored(stored: () => number): { samples: [number, number][]; stop(): void } {
  const samples: [number, number][] = [[nowMs(), stored()]]
  const timer = setInterval(() => {
    const rows = stored()
    if (rows !== samples[samples.length - 1]![1]) samples.push([nowMs(), rows])
  }, 2)
  return { samples, stop: () => clearInterval(timer) }
}

/**
 * Rows per second between the moments 10% and 80% of `total` had been stored. This leaves out
 * the first batch filling up and the last, partial one waiting for the batch timer (up to
 * batchMaxMs, which made a 6,000-frame run look a quarter slower than the processor is). NaN
 * when one batch did both.
 */
export function sustainedRate(samples: readonly [number, number][], total: number): number {
  const from = samples.find(([, rows]) => rows >= total * 0.1)
  const to = samples.find(([, rows]) => rows >= total * 0.8)
  return from && to && to[0] > from[0] ? ((to[1] - from[1]) / (to[0] - from[0])) * 1000 : Number.NaN
}
