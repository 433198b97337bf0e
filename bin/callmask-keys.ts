// `npm run keys -- init | list | create <tenant> | rotate <tenant> [--create] | destroy <tenant> --yes`:
// the admin's commands for JetStream set-up and the tenant keyring the processors share.
// The environment is read here and only here.
import { loadConfig } from '../lib/config.ts'
import { CallmaskError } from '../lib/errors.ts'
import { maxAckPendingFor } from '../lib/jetstream-streams.ts'
import { runKeysCommand } from '../keyring/keys-command.ts'

let config: ReturnType<typeof loadConfig>
try {
  // `init` sets up JetStream with the same settings the processors use.
  config = loadConfig()
} catch (error) {
  process.stderr.write(`${error instanceof CallmaskError ? error.message : (error as Error).message}\n`)
  process.exit(1)
}
const code = await runKeysCommand(
  process.argv.slice(2),
  {
    NATS_URL: process.env['NATS_URL'],
    NATS_USER: process.env['NATS_USER'],
    NATS_PASSWORD: process.env['NATS_PASSWORD'],
    CALLMASK_NATS_CA_FILE: config.natsCaFile,
    CALLMASK_DATA_DIR: process.env['CALLMASK_DATA_DIR'],
    CALLMASK_MASTER_KEY: process.env['CALLMASK_MASTER_KEY'],
    CALLMASK_MASTER_KEY_FILE: process.env['CALLMASK_MASTER_KEY_FILE'],
  },
  {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
  },
  {
    streams: { duplicateWindowS: config.duplicateWindowS, maxAgeH: config.streamMaxAgeH, maxMegabytes: config.streamMaxMb, replicas: config.streamReplicas },
    consumer: { ackWaitS: config.ackWaitS, maxAckPending: maxAckPendingFor(config.batchMaxRows) },
  },
)
process.exitCode = code
