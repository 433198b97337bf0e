// NATS over TLS with a private CA (issue 14): a real nats-server with a `tls { cert_file,
// key_file }` block and a certificate signed by a CA made at test time; the whole pipeline,
// told the CA by CALLMASK_NATS_CA_FILE (natsCaFile), stores a call through it, and the keys
// command works there too. Without the CA, or with a CA against a server without TLS, the
// connection is refused with a sentence naming the variable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { runKeysCommand } from '../keyring/keys-command.ts'
import { connectNats } from '../lib/nats-connection.ts'
import { startNatsServer } from '../lib/nats-server-launcher.ts'
import { streamCapture } from './support/stream-capture.ts'
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts'
import { createTestWorld, testTenant, type TestWorld } from './support/test-pipeline.ts'

describe('NATS over TLS with a private CA (integration)', () => {
  let certs: TestCertificates
  let world: TestWorld
  let pipeline: Pipeline

  beforeAll(async () => {
    certs = createTestCertificates()
    world = await createTestWorld({ natsTls: certs })
    pipeline = await world.start()
  }, 60_000)
  afterAll(async () => {
    await world?.close()
    certs?.remove()
  })

  it('runs the pipeline over TLS: a call is stored', async () => {
    await streamCapture(pipeline, 'chromium-loopback-audio.json', 'tls-nats-room')
    const [row] = await world.query<{ n: string }>("SELECT count() AS n FROM {db}.rtp_samples WHERE conference_id = 'tls-nats-room'")
    expect(Number(row!.n)).toBeGreaterThan(20)
    // The server does require TLS, and the connection is encrypted.
    const nc = await connectNats(world.nats.url, 'admin', world.natsCredentials.admin, { reconnect: false, caFile: certs.caFile })
    expect(nc.info?.tls_required).toBe(true)
    await nc.close()
  })

  it('the keys command connects with CALLMASK_NATS_CA_FILE', async () => {
    const lines: string[] = []
    const admin = world.natsCredentials.admin
    const env = { NATS_URL: world.nats.url, NATS_USER: admin.user, NATS_PASSWORD: admin.password, CALLMASK_NATS_CA_FILE: certs.caFile }
    const code = await runKeysCommand(['list'], env, { out: (l) => lines.push(l), err: (l) => lines.push(l) })
    expect(lines.join('\n')).toContain(`${testTenant}`)
    expect(code).toBe(0)
  })

  it('refuses a server whose certificate it cannot verify, a missing CA file, and a server without TLS, each with a sentence', async () => {
    const admin = world.natsCredentials.admin
    await expect(connectNats(world.nats.url, 'admin', admin, { reconnect: false })).rejects.toThrow(
      /its TLS certificate is not trusted \(.*certificate.*\)\. If a private CA signed it, set CALLMASK_NATS_CA_FILE/,
    )
    await expect(connectNats(world.nats.url, 'admin', admin, { reconnect: false, caFile: `${certs.caFile}.missing` })).rejects.toThrow(
      `The NATS CA file ${certs.caFile}.missing (CALLMASK_NATS_CA_FILE) does not exist.`,
    )
    await using plain = await startNatsServer()
    await expect(connectNats(plain.url, 'admin', undefined, { reconnect: false, caFile: certs.caFile })).rejects.toThrow(
      `NATS at ${plain.url} offers no TLS, but CALLMASK_NATS_CA_FILE asks for it`,
    )
  })
})
