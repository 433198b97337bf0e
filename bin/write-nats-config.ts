// `npm run nats-config`: writes deploy/nats.conf (docker-compose's single nats-server) and
// deploy/nats-cluster.conf (one node of a three-node cluster with TLS).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderClusterNatsConfig, renderComposeNatsConfig } from '../lib/nats-server-config.ts'

const deploy = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy')
mkdirSync(deploy, { recursive: true })
writeFileSync(join(deploy, 'nats.conf'), renderComposeNatsConfig())
writeFileSync(join(deploy, 'nats-cluster.conf'), renderClusterNatsConfig())
process.stdout.write(`Wrote ${join(deploy, 'nats.conf')} and ${join(deploy, 'nats-cluster.conf')} (users and permissions from lib/nats-credentials.ts).\n`)
