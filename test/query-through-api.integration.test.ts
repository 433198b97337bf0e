// `npm run query` while callmask runs on the embedded store: chdb belongs to the running
// process, so the query goes through its analyst API (the SQL endpoint), and says so. Runs
// the real `npm start` on a temp data dir and streams a capture with the development key.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { developmentIngestKey } from '../app/pipeline.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { runScript } from './support/run-script.ts'
import { eventually } from './support/test-pipeline.ts'

describe('npm run query while callmask runs (integration)', () => {
  it('goes through the analyst API, reads only the tenant\'s analyst tables, and says why a query is refused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'callmask-query-api-'))
    const env = { CALLMASK_DATA_DIR: dataDir, CALLMASK_INGEST_PORT: '0', CALLMASK_API_PORT: '0', LOG_LEVEL: 'warn' }
    const callmask = spawn(process.execPath, ['--import', 'tsx', 'bin/callmask.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    callmask.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => callmask.on('exit', (code) => resolve(code)))
    try {
      await eventually(() => stdout.includes('callmask is running.'), 60_000, 'callmask to start')
      const url = /Ingest WebSocket:\s+(\S+)/.exec(stdout)![1]!
      const client = new CallmaskClient({ url, key: developmentIngestKey })
      await client.connect()
      const frames = captureFrames(loadCapture('chromium-loopback-audio.json')).filter((f) => f.peerId === 'caller')
      for (const frame of frames) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
      await client.waitForAck(undefined, 30_000)
      client.close()
      const expected = frames.reduce((n, f) => n + selectReports(f.reports).filter((r) => r.type === 'inbound-rtp').length, 0)
      expect(expected).toBeGreaterThan(10)

      const query = () => runScript('bin/query.ts', ["SELECT count() AS n FROM callmask.rtp_samples WHERE report_type = 'inbound-rtp'"], { env })
      await eventually(async () => (await query()).stdout.includes(`│ ${expected} `), 30_000, 'the rows through the API')
      const result = await query()
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('1 row(s) of tenant dev through the analyst API')
      const refused = await runScript('bin/query.ts', ['SELECT * FROM system.tables'], { env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('The analyst API refused the query (400): the query may read only')

      // The privacy officer's CLI finds the running instance and its admin key in the data dir.
      const audit = await runScript('bin/callmask.ts', ['audit', '--operation', 'POST /v1/tenants/:tenant/sql'], { env })
      expect(audit.stderr).toBe('')
      expect(audit.code).toBe(0)
      expect(audit.stdout).toMatch(/\d+ audit record\(s\), newest first:/)
      expect(audit.stdout).toContain('dev-analyst (analyst)  POST /v1/tenants/:tenant/sql  tenant=dev  refused 400')
      // --from/--to reach the API's time filter (regression: any from or to answered 500, the
      // SELECT's `toString(ts) AS ts` shadowing the column): the last day holds the records
      // above, a window in the future none.
      const lastDay = await runScript('bin/callmask.ts', ['audit', '--from', new Date(Date.now() - 86_400_000).toISOString(), '--operation', 'POST /v1/tenants/:tenant/sql'], { env })
      expect(lastDay.stderr).toBe('')
      expect(lastDay.stdout).toContain('dev-analyst (analyst)  POST /v1/tenants/:tenant/sql  tenant=dev  refused 400')
      const later = await runScript('bin/callmask.ts', ['audit', '--from', new Date(Date.now() + 86_400_000).toISOString(), '--to', new Date(Date.now() + 2 * 86_400_000).toISOString()], { env })
      expect(later.stderr).toBe('')
      expect(later.stdout).toBe('0 audit record(s), newest first:\n')
      const erased = await runScript('bin/callmask.ts', ['erase-subject', 'dev', '-'], { env, input: 'anna.schmidt@example.com\n' })
      expect(erased.stderr).toBe('')
      expect(erased.stdout).toContain('Erased the data subject from tenant dev (pseudonyms p_k1_')
      expect(erased.stdout).toMatch(/Rows deleted: .*rtp_samples \d+/)
      expect(erased.stdout).not.toContain('anna.schmidt')
      const created = await runScript('bin/callmask.ts', ['keys-create', '--role', 'analyst', '--tenant', 'dev', '--label', 'ci'], { env })
      expect(created.stderr).toBe('')
      const keyId = /Created analyst key (\S+) for tenant dev/.exec(created.stdout)![1]!
      const listed = await runScript('bin/callmask.ts', ['keys-list', '--tenant', 'dev'], { env })
      expect(listed.stdout).toContain(`${keyId}  analyst  tenant=dev  active  (runtime)  "ci"`)
      expect(listed.stdout).not.toContain(/^  (cmk_\S+)$/m.exec(created.stdout)![1]!)
      const revoked = await runScript('bin/callmask.ts', ['keys-revoke', keyId], { env })
      expect(revoked.stdout).toContain(`Revoked key ${keyId}`)
      const inventory = await runScript('bin/callmask.ts', ['inventory'], { env })
      expect(inventory.code).toBe(0)
      expect(inventory.stdout).toContain('rtp_samples')
      const scan = await runScript('bin/callmask.ts', ['leak-scan', 'dev'], { env })
      expect(scan.stdout).toMatch(/Scanned [1-9]\d* row\(s\)/)
      expect(scan.code).toBe(0)
      const notice = await runScript('bin/callmask.ts', ['privacy-notice', '--format', 'html'], { env })
      expect(notice.stdout).toContain('<h1')
      const unknown = await runScript('bin/callmask.ts', ['erase-tenant', 'dev'], { env })
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('add --yes to confirm')
    } finally {
      callmask.kill('SIGINT')
    }
    expect(await exited).toBe(0)
    // Stopped: the address file is gone and the query reads the store directly again.
    expect(existsSync(join(dataDir, 'api.json'))).toBe(false)
    const direct = await runScript('bin/query.ts', ['SELECT count() AS n FROM callmask.rtp_samples'], { env: { CALLMASK_DATA_DIR: dataDir } })
    expect(direct.code).toBe(0)
    expect(direct.stdout).not.toContain('through the analyst API')
  }, 180_000)
})
