// `npm run bench`: runs every benchmark once, one after another, each in its own child
// process (chdb binds one store per process, and a benchmark must not inherit another's
// JIT state or heap), with a time limit each. Their human lines go through as they come;
// their `BENCH {json}` lines (a bare JSON line with a `benchmark` field is accepted too)
// are collected into one summary table of figures, same-run baselines and ratios, and
// into one closing `BENCH-SUMMARY {json}` line for machines.
import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { benchPrefix } from './bench-report.ts'

type Figures = Record<string, unknown> & { benchmark: string }

const benches: { file: string; timeoutMs: number }[] = [
  { file: 'detectors-bench.ts', timeoutMs: 60_000 },
  { file: 'pseudonymiser-bench.ts', timeoutMs: 60_000 },
  { file: 'interval-cost-bench.ts', timeoutMs: 60_000 },
  { file: 'ingest-bench.ts', timeoutMs: 120_000 },
  { file: 'nats-sync-bench.ts', timeoutMs: 90_000 },
  { file: 'processor-bench.ts', timeoutMs: 120_000 },
  { file: 'e2e-latency-bench.ts', timeoutMs: 420_000 },
]

function parseFigures(line: string): Figures | undefined {
  const text = line.startsWith(benchPrefix) ? line.slice(benchPrefix.length) : line.startsWith('{') ? line : undefined
  if (!text) return undefined
  try {
    const value = JSON.parse(text) as Partial<Figures>
    return typeof value.benchmark === 'string' ? (value as Figures) : undefined
  } catch {
    return undefined
  }
}

function runBench(file: string, timeoutMs: number): Promise<{ figures: Figures[]; ok: boolean; seconds: number }> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url))
  const started = Date.now()
  // process.execArgv carries tsx's loader.
  const child = fork(path, [], { execArgv: process.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  const figures: Figures[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const parsed = parseFigures(line)
    if (parsed) figures.push(parsed)
    else process.stdout.write(`  ${line}\n`)
  })
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      process.stdout.write(`  ${file} exceeded ${timeoutMs / 1000} s: stopped\n`)
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ figures, ok: code === 0 && figures.length > 0, seconds: (Date.now() - started) / 1000 })
    })
  })
}

// Summary rows: figure, value, the baseline it is compared with (same run), ratio.
type SummaryRow = [string, string, string, string]
const n = (value: unknown, unit = ''): string => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value ?? '-')
  const text = Math.abs(value) >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : Math.abs(value) >= 1e4 ? `${(value / 1e3).toFixed(1)}k` : String(Math.round(value * 10) / 10)
  return unit ? `${text} ${unit}` : text
}
const x = (value: unknown): string => (typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(2)}x` : '-')
const get = (f: Figures, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], f)

function summaryRows(f: Figures): SummaryRow[] {
  switch (f.benchmark) {
    case 'detectors':
      return [['detectPii identifiers/s (1 core)', n(f['detectPiiPerSecond']), `toLowerCase ${n(f['baselineLowerCasePerSecond'])}`,
        x(Number(f['detectPiiPerSecond']) / Number(f['baselineLowerCasePerSecond']))]]
    case 'pseudonymiser':
      return [
        ['pseudonyms/s uncached (1 core)', n(f['uncachedPerSecond']), `bare createHmac ${n(f['bareCreateHmacPerSecond'])}`,
          x(Number(f['uncachedPerSecond']) / Number(f['bareCreateHmacPerSecond']))],
        ['pseudonyms/s cached', n(f['cachedPerSecond']), '', ''],
      ]
    case 'interval-cost':
      return [
        ['frame bytes with previous (intervals)', n(f['bytesPerFrame'], 'B'), `without ${n(f['bytesPerFrameBaseline'], 'B')}`, x(Number(f['bytesPerFrame']) / Number(f['bytesPerFrameBaseline']))],
        ['policy + mapping us/frame with intervals', n(f['mapUsPerFrame']), `without ${n(f['mapUsPerFrameBaseline'])}`, x(Number(f['mapUsPerFrame']) / Number(f['mapUsPerFrameBaseline']))],
      ]
    case 'ingest':
      return [
        ['ingest uWS frames/s acked (JetStream)', n(get(f, 'uws.framesPerSecond')), `ws full check ${n(get(f, 'ws.framesPerSecond'))}`, x(f['uwsOverWsFrames'])],
        ['ingest uWS MB/s', n(get(f, 'uws.megabytesPerSecond')), `ws full check ${n(get(f, 'ws.megabytesPerSecond'))}`, ''],
        ['ingest server CPU us/frame (uWS, target <= 1/3)', n(get(f, 'uws.serverCpuUsPerFrame')), `ws full check ${n(get(f, 'ws.serverCpuUsPerFrame'))}`,
          `uWS/ws ${x(f['uwsCpuOverWsCpu'])}`],
        ['  envelope check us/frame', n(f['envelopeCheckUsPerFrame']), `full decode+validate ${n(f['decodeValidateUsPerFrame'])}`, ''],
      ]
    case 'nats-sync':
      return [['JetStream PubAcks/s, sync_interval: always', n(get(f, 'syncAlways.messagesPerSecond')),
        `default sync ${n(get(f, 'syncDefault.messagesPerSecond'))}`, x(f['alwaysOverDefault'])]]
    case 'processor':
      return [
        ['processor rows/s into chdb (target >= 0.8x bare raw)', n(f['processorRowsPerSecond']), `bare raw insert ${n(f['rawInsertRowsPerSecond'])}`, x(f['processorOverRawInsert'])],
        ['', '', `sink ${n(f['sinkRowsPerSecond'])}`, x(f['processorOverSink'])],
        ['', '', `bare client.insert ${n(f['clientInsertRowsPerSecond'])}`, x(f['processorOverClientInsert'])],
        ['processor frames/s', n(f['processorFramesPerSecond']), '', ''],
      ]
    case 'e2e': {
      const rss = (f['peakRssMb'] ?? {}) as Record<string, number>
      return [
        ['e2e frames/s, WebSocket -> ClickHouse (target >= 0.7x)', n(f['e2eFramesPerSecond']), `ingest alone ${n(f['ingestAloneFramesPerSecond'])}`, x(f['e2eOverIngestAlone'])],
        [`send -> queryable p50 at half peak (${n(f['steadyFramesPerSecond'])} frames/s)`, n(f['queryableP50Ms'], 'ms'), `send -> ack p50 ${n(f['ackP50Ms'], 'ms')}`, ''],
        ['send -> queryable p99 (target < 2000 ms)', n(f['queryableP99Ms'], 'ms'), `send -> ack p99 ${n(f['ackP99Ms'], 'ms')}`, ''],
        [`2x overload ${f['overloadSeconds']} s: frames/s acked`, n(f['overloadAckedFramesPerSecond']), `offered ${n(f['overloadOfferedFramesPerSecond'])}`, ''],
        ['  peak RSS MB: ingest / processor / nats / load gen', `${rss['ingest']} / ${rss['processor']} / ${rss['natsServer']} / ${rss['loadGenerator']}`,
          `backlog peak ${n(f['overloadPeakBacklogMessages'])} msgs, drained in ${f['overloadDrainSeconds']} s`, ''],
        ['e2e completeness', f['complete'] === true ? 'all acked + stored' : 'INCOMPLETE', Number(f['unseenFrames']) > 0 ? `${f['unseenFrames']} frames never queryable` : '', ''],
      ]
    }
    default:
      return Object.entries(f)
        .filter(([k, v]) => k !== 'benchmark' && typeof v === 'number')
        .map(([k, v]) => [`${f.benchmark} ${k}`, n(v), '', ''] as SummaryRow)
  }
}

function table(rows: SummaryRow[]): string {
  const header: SummaryRow = ['figure', 'value', 'baseline (same run)', 'ratio']
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)))
  const line = (r: SummaryRow) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

const all: Figures[] = []
const failed: string[] = []
const started = Date.now()
process.stdout.write(`callmask benchmarks on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}\n`)
for (const bench of benches) {
  if (!existsSync(fileURLToPath(new URL(`./${bench.file}`, import.meta.url)))) continue
  process.stdout.write(`\n== ${bench.file}\n`)
  const result = await runBench(bench.file, bench.timeoutMs)
  all.push(...result.figures)
  if (!result.ok) failed.push(bench.file)
  process.stdout.write(`  (${result.seconds.toFixed(1)} s${result.ok ? '' : ', FAILED'})\n`)
}

process.stdout.write(`\n${table(all.flatMap(summaryRows))}\n`)
process.stdout.write(`Ratios compare figures measured in this run. Load generators, servers and nats-server share the ${cpus().length} cores: absolute figures are floors.\n`)
process.stdout.write(`${benchPrefix.trim()}-SUMMARY ${JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), failed, results: all })}\n`)
if (failed.length > 0) {
  process.stdout.write(`failed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}
