// `npm run nats-config`: writes deploy/nats.conf, the nats-server configuration of docker-compose.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderComposeNatsConfig } from '../lib/nats-server-config.ts'

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'nats.conf')
mkdirSync(dirname(target), { recursive: true })
writeFileSync(target, renderComposeNatsConfig())
process.stdout.write(`Wrote ${target} (users and permissions from lib/nats-credentials.ts).\n`)
