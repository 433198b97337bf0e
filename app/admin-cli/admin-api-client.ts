// How the admin CLI reaches the admin API: CALLMASK_API_URL and CALLMASK_ADMIN_KEY, or, for
// callmask running embedded on this machine, the address and the admin key it wrote into its
// data directory (both 0600, removed when it stops). One implementation: the CLI only calls
// the API, whose operations are the ones audited.
import { existsSync, readFileSync } from 'node:fs'
import { apiAddressFile, embeddedAdminKeyFile } from '../../lib/data-dir-lock.ts'

export class CliError extends Error {}

export interface AdminApi {
  url: string
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Response>
}

export function adminApi(env: Record<string, string | undefined>): AdminApi {
  const dataDir = env['CALLMASK_DATA_DIR'] ?? './data'
  let url = env['CALLMASK_API_URL']
  if (!url) {
    if (!existsSync(apiAddressFile(dataDir))) {
      throw new CliError(`callmask is not running on ${dataDir} (no ${apiAddressFile(dataDir)}): start it with npm start, or set CALLMASK_API_URL and CALLMASK_ADMIN_KEY for a running server.`)
    }
    url = (JSON.parse(readFileSync(apiAddressFile(dataDir), 'utf8')) as { url: string }).url
  }
  let key = env['CALLMASK_ADMIN_KEY']
  if (!key) {
    if (env['CALLMASK_API_URL'] || !existsSync(embeddedAdminKeyFile(dataDir))) throw new CliError('set CALLMASK_ADMIN_KEY to an admin key of the API (callmask writes one only when it runs embedded).')
    key = readFileSync(embeddedAdminKeyFile(dataDir), 'utf8').trim()
  }
  const base = url.replace(/\/+$/, '')
  return {
    url: base,
    async request(method, path, body) {
      try {
        return await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      } catch (error) {
        const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message
        // Behind a TLS terminator with a private CA (README "TLS in front"), Node's fetch needs to be told the CA.
        // Found through the data directory but refused: the files of a callmask that crashed.
        const stale = !env['CALLMASK_API_URL'] && /ECONNREFUSED/.test(reason) ? ` (${apiAddressFile(dataDir)} is left from a callmask that stopped without cleaning up: start it again with npm start)` : ''
        const hint = /certificate/i.test(reason) ? ' (a private CA: set NODE_EXTRA_CA_CERTS to its PEM file)' : stale
        throw new CliError(`cannot reach the admin API at ${base}: ${reason}${hint}`)
      }
    },
  }
}

/** The API's answer as JSON, or a CliError with its status and sentence. */
export async function expectOk<T>(response: Response): Promise<T> {
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!response.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? (text.slice(0, 200) || response.statusText)
    throw new CliError(`the admin API refused (${response.status}): ${message}`)
  }
  return (body ?? text) as T
}
