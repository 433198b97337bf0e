// One callmask process per data directory: chdb and the local nats-server store belong to
// one owner. A pid file says who; a stale one (its process is gone) is taken over, and a
// nats-server left behind by a crashed run is stopped before a new one uses its store.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from './errors.ts'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

const readPid = (file: string): number | undefined => {
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

/** The pid of another running callmask that owns the directory, if any. */
export function dataDirOwner(dataDir: string): number | undefined {
  const owner = readPid(join(dataDir, 'callmask.pid'))
  return owner !== undefined && owner !== process.pid && alive(owner) ? owner : undefined
}

/** Where a running embedded callmask serves its analyst API (written at start, removed at stop). */
export const apiAddressFile = (dataDir: string): string => join(dataDir, 'api.json')
/** Embedded mode: a fresh admin key every start, readable only by this user, for `callmask <command>`. */
export const embeddedAdminKeyFile = (dataDir: string): string => join(dataDir, 'admin.key')

/** Claims the directory; throws a ConfigError naming the other owner. Returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'callmask.pid')
  const owner = readPid(file)
  if (owner !== undefined && owner !== process.pid && alive(owner)) {
    throw new ConfigError(`Another callmask process (pid ${owner}) is using ${dataDir}. Stop it first, or give this one its own CALLMASK_DATA_DIR.`)
  }
  writeFileSync(file, `${process.pid}\n`)
  const release = () => {
    if (readPid(file) === process.pid) rmSync(file, { force: true })
  }
  process.once('exit', release)
  return release
}

/** The pid of the nats-server recorded in `pidFile`, if that process still runs and is one. */
export function runningNatsServer(pidFile: string): number | undefined {
  const pid = readPid(pidFile)
  return pid !== undefined && alive(pid) && commandOf(pid).includes('nats-server') ? pid : undefined
}

/** Stops a nats-server a crashed run left on this store (recorded in its pid file). */
export async function stopOrphanedNatsServer(pidFile: string): Promise<boolean> {
  const pid = readPid(pidFile)
  if (pid === undefined || !alive(pid) || !commandOf(pid).includes('nats-server')) return false
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50))
  if (alive(pid)) process.kill(pid, 'SIGKILL')
  return true
}
