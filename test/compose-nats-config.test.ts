// docker-compose runs NATS with deploy/nats.conf: the same least-privileged users as
// embedded mode (lib/nats-credentials.ts), passwords from the environment, no monitoring.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { findNatsServerBinary } from '../lib/nats-server-binary.ts'
import { renderComposeNatsConfig } from '../lib/nats-server-config.ts'
import { passwordVariable } from '../lib/nats-credentials.ts'

describe('deploy/nats.conf', () => {
  it('is what lib/nats-credentials.ts renders (run `npm run nats-config` after changing permissions)', () => {
    expect(readFileSync('deploy/nats.conf', 'utf8')).toBe(renderComposeNatsConfig())
  })

  it('is valid for nats-server and needs every role password from the environment', () => {
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', CALLMASK_NATS_INGEST_PASSWORD: 'a', CALLMASK_NATS_PROCESSOR_PASSWORD: 'b', CALLMASK_NATS_API_PASSWORD: 'd', CALLMASK_NATS_ADMIN_PASSWORD: 'c' }
    const binary = findNatsServerBinary()
    expect(execFileSync(binary, ['-c', 'deploy/nats.conf', '-t'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('')
    const { [passwordVariable('processor')]: _missing, ...withoutOne } = env
    expect(() => execFileSync(binary, ['-c', 'deploy/nats.conf', '-t'], { env: withoutOne, stdio: 'pipe' })).toThrow(/CALLMASK_NATS_PROCESSOR_PASSWORD/)
  })

  it('publishes no monitoring port and no NATS client port in docker-compose.yml', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8')
    const nats = compose.slice(compose.indexOf('\n  nats:'), compose.indexOf('\n  clickhouse:'))
    expect(nats).toContain('/etc/nats/callmask.conf')
    expect(nats).not.toMatch(/ports:|-m|8222|4222:4222/)
  })
})
