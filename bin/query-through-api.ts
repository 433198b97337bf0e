// `npm run query` while callmask runs on the embedded store: chdb belongs to that process,
// so the query goes to its analyst API (the SQL endpoint: one SELECT over the analyst
// tables of one tenant). The tenant and key: CALLMASK_QUERY_TENANT and CALLMASK_API_KEY,
// by default the development analyst key's tenant `dev`.
import { readFileSync } from 'node:fs'
import { developmentApiKey, developmentTenant } from '../app/pipeline.ts'
import { apiAddressFile } from '../lib/data-dir-lock.ts'

export async function queryThroughApi(dataDir: string, database: string, sql: string, env: NodeJS.ProcessEnv): Promise<number> {
  let url: string
  try {
    url = (JSON.parse(readFileSync(apiAddressFile(dataDir), 'utf8')) as { url: string }).url
  } catch {
    process.stderr.write(`callmask is running on ${dataDir} but serves no analyst API there (no ${apiAddressFile(dataDir)}): stop it to query the store directly.\n`)
    return 1
  }
  const tenant = env['CALLMASK_QUERY_TENANT'] ?? developmentTenant
  // The endpoint reads the analyst tables by their plain names: `callmask.rtp_samples` -> `rtp_samples`.
  const plain = sql.replaceAll(new RegExp(`\\b${database}\\.`, 'g'), '')
  let response: Response
  try {
    response = await fetch(`${url}/v1/tenants/${encodeURIComponent(tenant)}/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env['CALLMASK_API_KEY'] ?? developmentApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: plain }),
    })
  } catch (error) {
    process.stderr.write(`callmask is running on ${dataDir}, but its analyst API at ${url} does not answer: ${(error as Error).message}\n`)
    return 1
  }
  const body = (await response.json()) as { rows?: Record<string, unknown>[]; truncated?: boolean; message?: string }
  if (!response.ok) {
    process.stderr.write(`The analyst API refused the query (${response.status}): ${body.message ?? 'no reason given'}\n`)
    return 1
  }
  console.table(body.rows)
  process.stdout.write(`${body.rows!.length} row(s) of tenant ${tenant} through the analyst API at ${url} (callmask is running and owns the store)${body.truncated ? '; cut at the row limit' : ''}\n`)
  return 0
}
