// Finds a nats-server >= 2.10 to start. Older servers are refused: nats-server 2.9 (Debian
// bookworm's package) loses a work-queue stream's interior deletes on an unclean stop, so
// frames already processed come back after a crash, raw, until max_age. Looked for in this
// order: an explicit path, NATS_SERVER_BIN, the project-local copy that
// `scripts/install-nats-server.sh` puts in .tools/, then the usual system paths.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from './errors.ts'

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const projectLocalBinary = join(projectRoot, '.tools', 'nats-server', 'usr', 'sbin', 'nats-server')
const systemBinaries = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']

export const minimumNatsServerVersion = [2, 10] as const
const minimumText = minimumNatsServerVersion.join('.')
const howToGetIt = `Run \`bash scripts/install-nats-server.sh\` (puts Debian trixie's nats-server 2.10 into .tools/, the machine's own stays as it is) or set NATS_SERVER_BIN to a nats-server >= ${minimumText}.`

/** True for "2.10.27", "v2.11.0-beta"; false for "2.9.10" or text that is not a version. */
export function isSupportedNatsServerVersion(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim())
  if (!match) return false
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return major > minimumNatsServerVersion[0] || (major === minimumNatsServerVersion[0] && minor >= minimumNatsServerVersion[1])
}

/** Throws a ConfigError naming the server and how to get a newer one (for NATS_URL servers too). */
export function requireSupportedNatsServer(version: string, where: string): void {
  if (!isSupportedNatsServerVersion(version)) {
    throw new ConfigError(
      `nats-server ${version} at ${where} is too old: callmask needs ${minimumText} or newer (2.9 loses work-queue deletes on an unclean stop, so processed raw frames come back). ${howToGetIt}`,
    )
  }
}

const versions = new Map<string, string>()
function versionOf(binary: string): string {
  let version = versions.get(binary)
  if (version === undefined) {
    try {
      const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 })
      version = /v(\d+\.\d+\.\d+\S*)/.exec(out)?.[1] ?? out.trim()
    } catch (error) {
      throw new ConfigError(`${binary} does not run (${(error as Error).message.split('\n')[0]}). ${howToGetIt}`)
    }
    versions.set(binary, version)
  }
  return version
}

/** The nats-server binary to start, checked to be >= 2.10. */
export function findNatsServerBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env['NATS_SERVER_BIN']
  if (chosen) {
    if (!existsSync(chosen)) throw new ConfigError(`NATS_SERVER_BIN is ${chosen}, which does not exist. ${howToGetIt}`)
    requireSupportedNatsServer(versionOf(chosen), chosen)
    return chosen
  }
  const found = [projectLocalBinary, ...systemBinaries].filter((p) => existsSync(p))
  const supported = found.find((p) => isSupportedNatsServerVersion(versionOf(p)))
  if (supported) return supported
  if (found[0]) requireSupportedNatsServer(versionOf(found[0]), found[0])
  throw new ConfigError(`nats-server was not found (looked in .tools/nats-server, ${systemBinaries.join(', ')}). ${howToGetIt} Or set NATS_URL to a running nats-server >= ${minimumText}.`)
}
