// `npm run import-rtcstats -- <dump.jsonl> [options]`: replays an rtcstats dump through a
// running callmask ingest, one session per peer connection, and prints a summary. Exits
// non-zero with a sentence on bad input (no such file, not a dump, a refused key).
import { existsSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CallmaskError } from '../lib/errors.ts'
import { developmentIngestKey } from '../app/pipeline.ts'
import { importRtcstatsDump, summaryLines } from '../rtcstats/index.ts'

const usage = `Usage: npm run import-rtcstats -- <dump.jsonl[.gz]> [options]
  --url <ws-url>         ingest WebSocket (default: CALLMASK_URL or ws://127.0.0.1:8080/v1/ws)
  --key <ingest-key>     ingest key; it decides the tenant (default: CALLMASK_KEY or the development key)
  --conference <id>      conference id for every session (default: the dump's room name)
  --participant <id>     participant id for every session (default: the dump's endpoint id)
  --keep-times           send the recorded times (only if within the ingest's 7-day window)
  --json                 use the JSON subprotocol instead of msgpack
  --rate <n>             frames per second per session after the first 500 (default 15)
`

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

let parsed: ReturnType<typeof parse>
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      conference: { type: 'string' },
      participant: { type: 'string' },
      'keep-times': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
}
try {
  parsed = parse()
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, 2)
}
const { values, positionals } = parsed
if (values.help) {
  process.stdout.write(usage)
  process.exit(0)
}
if (positionals.length !== 1) fail(`Name exactly one dump file.\n${usage}`, 2)
const file = positionals[0]!
if (!existsSync(file)) fail(`There is no file ${file}: name an rtcstats dump (JSON lines, as rtcstats-server writes them).`)
if (!statSync(file).isFile()) fail(`${file} is not a file: name an rtcstats dump (JSON lines, as rtcstats-server writes them).`)
const rate = values.rate === undefined ? undefined : Number(values.rate)
if (rate !== undefined && !(rate > 0)) fail(`--rate is "${values.rate}": give a number of frames per second above 0.`, 2)
const url = values.url ?? process.env['CALLMASK_URL'] ?? 'ws://127.0.0.1:8080/v1/ws'

try {
  const summary = await importRtcstatsDump({
    file,
    url,
    key: values.key ?? process.env['CALLMASK_KEY'] ?? developmentIngestKey,
    call: { conferenceId: values.conference, participantId: values.participant },
    keepTimes: values['keep-times'],
    encoding: values.json ? 'json' : 'msgpack',
    framesPerSecond: rate,
    progress: (line) => process.stdout.write(line + '\n'),
  })
  process.stdout.write(summaryLines(summary).join('\n') + '\n')
  if (summary.acknowledged < summary.framesSent) {
    process.stderr.write(`The ingest refused ${summary.framesSent - summary.acknowledged} of ${summary.framesSent} frames (reasons above); nothing was stored for them.\n`)
    process.exitCode = 1
  } else if (summary.framesSent === 0) {
    process.stderr.write('Nothing was sent: the dump has no standard getStats report and no peer connection event.\n')
    process.exitCode = 1
  }
} catch (error) {
  // Our own errors are sentences already; anything else gets no stack trace either.
  const message = error instanceof CallmaskError ? error.message : (error as Error).message
  process.stderr.write(`The import of ${file} failed: ${message}.\n`)
  process.exitCode = 1
}
