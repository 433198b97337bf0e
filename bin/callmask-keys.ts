// `npm run keys -- list | create <tenant> | rotate <tenant> [--create] | destroy <tenant> --yes`: manages the
// tenant keyring the processors share. The environment is read here and only here.
import { runKeysCommand } from '../processor/keyring/keys-command.ts'

const code = await runKeysCommand(
  process.argv.slice(2),
  {
    NATS_URL: process.env['NATS_URL'],
    NATS_USER: process.env['NATS_USER'],
    NATS_PASSWORD: process.env['NATS_PASSWORD'],
    CALLMASK_DATA_DIR: process.env['CALLMASK_DATA_DIR'],
    CALLMASK_MASTER_KEY: process.env['CALLMASK_MASTER_KEY'],
    CALLMASK_MASTER_KEY_FILE: process.env['CALLMASK_MASTER_KEY_FILE'],
  },
  {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
  },
)
process.exitCode = code
