// A ClickHouse server for the tests that need one in a process of its own: chdb (the same
// ClickHouse engine as embedded mode) behind the subset of ClickHouse's HTTP interface that
// @clickhouse/client speaks: the statement in the body or in `query` (then the body is the
// data), `param_*` query parameters, settings as URL parameters, errors as ClickHouse sends
// them (`Code: N. DB::Exception: ... (TYPE)`, X-ClickHouse-Exception-Code), and /ping.
// Processors then run as real processes (killable with SIGKILL) on one shared store, through
// the server code path of storage/; stopping this process is ClickHouse being unavailable.
// Statements run one at a time: a URL setting is SET for its statement and reset after it,
// since chdb's session keeps SETs (a dedup token must not outlive its insert).
// Test-only: POST /__faults {"latencyMs": N} delays every later answer (slow ClickHouse).
//   usage: tsx test/support/chdb-http-server.ts <store path> <port, 0 for any>
import { Session } from 'chdb'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

const [path, portArgument] = process.argv.slice(2)
if (!path) {
  process.stderr.write('usage: chdb-http-server.ts <store path> <port>\n')
  process.exit(2)
}
const session = new Session(path)
let latencyMs = 0
// ClickHouse's own HTTP parameters that are not settings.
const notSettings = new Set(['query', 'query_id', 'database', 'default_format', 'session_id', 'session_timeout', 'user', 'password'])
let queue: Promise<unknown> = Promise.resolve()

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject)
  })
}

const stringLiteral = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
const settingLiteral = (value: string) => (/^-?\d+(\.\d+)?$/.test(value) ? value : stringLiteral(value))

const escapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' }

// As ClickHouse does with HTTP `param_*` values: each is text, parsed as its placeholder's type.
// (chdb's own binder escapes that text once more, which breaks quoted array elements.)
function bindParams(sql: string, params: Record<string, string>): string {
  return sql.replace(/\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g, (_placeholder, name: string, type: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`Code: 456. DB::Exception: Substitution \`${name}\` is not set. (UNKNOWN_QUERY_PARAMETER)`)
    // A top-level string comes in ClickHouse's escaped text form (`it\'s`); CAST would keep the backslashes.
    const text = /^(Nullable\(|LowCardinality\()*(String|FixedString)/.test(type) ? value.replace(/\\(.)/gs, (_, c: string) => escapes[c] ?? c) : value
    return `CAST(${stringLiteral(text)} AS ${type})`
  })
}


async function run(sql: string, params: Record<string, string>, settings: [string, string][]): Promise<Uint8Array> {
  for (const [name, value] of settings) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Code: 115. DB::Exception: Unknown setting ${JSON.stringify(name)}. (UNKNOWN_SETTING)`)
    await session.queryAsync(`SET ${name} = ${settingLiteral(value)}`)
  }
  try {
    return (await session.queryAsync(bindParams(sql, params))).bytes()
  } finally {
    for (const [name] of settings) await session.queryAsync(`SET ${name} = DEFAULT`)
  }
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (url.pathname === '/ping') return void res.end('Ok.\n')
  const body = await readBody(req)
  if (url.pathname === '/__faults') {
    latencyMs = Number((JSON.parse(body) as { latencyMs?: number }).latencyMs ?? 0)
    return void res.end('{}')
  }
  const params: Record<string, string> = {}
  const settings: [string, string][] = []
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param_')) params[key.slice(6)] = value
    else if (!notSettings.has(key)) settings.push([key, value])
  }
  const inUrl = url.searchParams.get('query')
  const sql = inUrl === null ? body : `${inUrl}\n${body}`
  if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs))
  const done = queue.then(() => run(sql, params, settings))
  queue = done.catch(() => undefined)
  try {
    const bytes = await done
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Query-Id': url.searchParams.get('query_id') ?? '' })
    res.end(bytes)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const code = /Code: (\d+)/.exec(message)?.[1] ?? '1002'
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': code })
    res.end(message.startsWith('Code:') ? message : `Code: ${code}. DB::Exception: ${message}`)
  }
}

const server = createServer((req, res) => {
  answer(req, res).catch((error: unknown) => {
    res.writeHead(500)
    res.end(`Code: 1002. DB::Exception: ${String(error)}`)
  })
})
server.listen(Number(portArgument ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n')
})
// Stops at once, as a stopped server does: open keep-alive connections are cut, not waited for.
// The statement in flight (if any) ends before the session closes. A CI run saw a stop hang with
// the server already closed; closing chdb's session under a running insert is our reading of it,
// not proven (the harness also turns a stop that hangs into a kill: clickhouse-process.ts).
const stop = () => {
  server.close(() => {
    void queue.catch(() => undefined).finally(() => {
      session.close()
      process.exit(0)
    })
  })
  server.closeAllConnections()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
