// Files and folders that hold secrets or personal data (the data directory, generated NATS
// passwords, the master key) must belong to this user and be closed to everyone else: a
// data directory someone else created first, or a key file they planted, would hand them
// the keyring or the raw frames.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { ConfigError } from './errors.ts'

const ownUid = () => process.getuid?.()

/** Creates the directory 0700, or checks that an existing one is ours and not writable by others. */
export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    return
  }
  const stat = statSync(dir)
  const uid = ownUid()
  if (uid !== undefined && stat.uid !== uid) {
    throw new ConfigError(`The data directory ${dir} belongs to another user (uid ${stat.uid}); callmask keeps keys and raw data there. Use a directory of your own (CALLMASK_DATA_DIR).`)
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new ConfigError(`The data directory ${dir} is writable by other users (mode ${(stat.mode & 0o777).toString(8)}); someone could plant keys there. Run: chmod 700 ${dir}`)
  }
}

/** Refuses a secret file that is not ours or that others may read or write. */
export function checkPrivateFile(file: string, what: string): void {
  const stat = statSync(file)
  const uid = ownUid()
  if (uid !== undefined && stat.uid !== uid) throw new ConfigError(`The ${what} ${file} belongs to another user (uid ${stat.uid}); refusing to use it.`)
  if ((stat.mode & 0o077) !== 0) throw new ConfigError(`The ${what} ${file} is readable or writable by other users (mode ${(stat.mode & 0o777).toString(8)}). Run: chmod 600 ${file}`)
}

/** Writes a new secret file, 0600, replacing any file of that name (never reusing its mode or owner). */
export function writePrivateFile(file: string, text: string): void {
  rmSync(file, { force: true })
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' })
}
