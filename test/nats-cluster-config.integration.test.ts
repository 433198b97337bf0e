// deploy/nats-cluster.conf, the file every node of a production three-node cluster runs:
// what lib/ renders, and a real cluster booted from it on loopback (TLS for clients and
// between the nodes, route passwords, callmask's users) that places the CALLMASK stream on
// all three nodes. Plain-text clients are refused.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureStreams, framesStream } from '../lib/jetstream-streams.ts'
import { passwordVariable, natsRoles } from '../lib/nats-credentials.ts'
import { findNatsServerBinary } from '../lib/nats-server-binary.ts'
import { clusterNatsVariables as v, renderClusterNatsConfig } from '../lib/nats-server-config.ts'
import { closedPort } from './support/closed-port.ts'
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts'
import { eventually } from './support/test-pipeline.ts'
import { dieWithParent, signalAndWait } from '../lib/child-process-lifetime.ts'

const adminPassword = 'adminPass1'
const routePassword = 'routePass1'

describe('deploy/nats-cluster.conf (integration)', () => {
  let certs: TestCertificates
  let dir: string
  let clientPorts: number[]
  const nodes: ChildProcess[] = []

  beforeAll(async () => {
    certs = createTestCertificates()
    dir = mkdtempSync(join(tmpdir(), 'callmask-nats-cluster-conf-'))
    clientPorts = [await closedPort(), await closedPort(), await closedPort()]
    const routePorts = [await closedPort(), await closedPort(), await closedPort()]
    const routes = Object.fromEntries(v.routes.map((name, i) => [name, `nats-route://callmask-route:${routePassword}@127.0.0.1:${routePorts[i]}`]))
    const passwords = Object.fromEntries(natsRoles.map((role) => [passwordVariable(role), role === 'admin' ? adminPassword : `${role}Pass1`]))
    for (let i = 0; i < 3; i++) {
      const env = {
        PATH: process.env['PATH'] ?? '',
        [v.serverName]: `nats-${i + 1}`,
        [v.listen]: `127.0.0.1:${clientPorts[i]}`,
        [v.clusterListen]: `127.0.0.1:${routePorts[i]}`,
        [v.storeDir]: join(dir, `nats-${i + 1}`),
        [v.routePassword]: routePassword,
        [v.tlsCert]: certs.certFile,
        [v.tlsKey]: certs.keyFile,
        [v.tlsCa]: certs.caFile,
        ...routes,
        ...passwords,
      }
      const node = spawn(findNatsServerBinary(), ['-c', 'deploy/nats-cluster.conf'], { env, stdio: 'ignore' })
      dieWithParent(node)
      nodes.push(node)
    }
  })

  afterAll(async () => {
    await Promise.all(nodes.map((node) => signalAndWait(node, 'SIGTERM')))
    rmSync(dir, { recursive: true, force: true })
    certs?.remove()
  })

  const admin = () => connect({ servers: clientPorts.map((p) => `tls://127.0.0.1:${p}`), user: 'callmask-admin', pass: adminPassword, tls: { caFile: certs.caFile }, reconnect: false })

  it('is what lib/nats-server-config.ts renders (run `npm run nats-config` after changing it)', () => {
    expect(readFileSync('deploy/nats-cluster.conf', 'utf8')).toBe(renderClusterNatsConfig())
  })

  it('boots a TLS cluster whose three nodes take the CALLMASK stream at R3', async () => {
    await eventually(() => admin().then((nc) => nc.close().then(() => true), () => false), 30_000, 'the nodes to accept TLS clients')
    const nc = await admin()
    await eventually(() => ensureStreams(nc, { duplicateWindowS: 900, maxAgeH: 168, replicas: 3 }).then(() => true, () => false), 30_000, 'the stream placed on three nodes')
    const info = await (await jetstreamManager(nc)).streams.info(framesStream)
    expect(info.config.num_replicas).toBe(3)
    expect(info.cluster?.name).toBe('callmask')
    expect([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)].sort()).toEqual(['nats-1', 'nats-2', 'nats-3'])
    await nc.close()
  })

  it('refuses a client that does not speak TLS', async () => {
    await expect(connect({ servers: `nats://127.0.0.1:${clientPorts[0]}`, user: 'callmask-admin', pass: adminPassword, reconnect: false, tls: null })).rejects.toThrow()
  })
})
