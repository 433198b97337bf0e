// `callmask <command> [arguments]`: dispatches to the privacy officer's commands. Each calls
// the admin API, so the CLI and the API share one implementation and one audit trail.
import { parseArgs } from 'node:util'
import { adminApi, CliError } from './admin-api-client.ts'
import type { CliCommand, CliIo } from './cli-command.ts'
import { subjectCommands } from './subject-commands.ts'
import { keyCommands } from './key-commands.ts'
import { recordCommands } from './record-commands.ts'
import { duplicateCommands } from './duplicate-commands.ts'
import { retentionCommands } from './retention-commands.ts'

export const adminCommands: CliCommand[] = [...subjectCommands, ...keyCommands, ...retentionCommands, ...recordCommands, ...duplicateCommands]

/** How many positional arguments a command takes: the `<...>` of its usage line outside `[...]`. */
export function positionalCount(usage: string): number {
  return usage.replace(/\[[^\]]*\]/g, '').match(/<[^>]*>/g)?.length ?? 0
}

export function adminUsage(): string {
  return [
    'Usage: npx callmask [start]          run callmask (the same as npm start)',
    '       npx callmask <command> ...    a privacy operation against the running callmask:',
    '',
    ...adminCommands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'The command finds callmask running embedded under CALLMASK_DATA_DIR (default ./data), or',
    'set CALLMASK_API_URL and CALLMASK_ADMIN_KEY. Every operation is recorded in the audit log.',
  ].join('\n')
}

export async function runAdminCli(args: readonly string[], env: Record<string, string | undefined>, io: CliIo & { err(line: string): void }): Promise<number> {
  const [name, ...rest] = args
  if (name === 'help' || name === '--help' || name === '-h') {
    io.out(adminUsage())
    return 0
  }
  const command = adminCommands.find((c) => c.name === name)
  if (!command) {
    io.err(`callmask has no command ${JSON.stringify(name)}.\n${adminUsage()}`)
    return 2
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...rest], options: command.options ?? {}, allowPositionals: true, strict: true })
  } catch (error) {
    io.err(`${(error as Error).message}\nUsage: npx callmask ${command.usage}`)
    return 2
  }
  // An extra word is refused, never dropped: `erase-subject acme Anna Schmidt` would
  // otherwise erase "Anna". The words are not echoed (they may be an identifier).
  const expected = positionalCount(command.usage)
  if (parsed.positionals.length > expected) {
    io.err(
      `callmask ${command.name} takes ${expected === 0 ? 'no arguments besides its options' : `${expected} argument${expected === 1 ? '' : 's'}`} but got ${parsed.positionals.length}: put a value with spaces in quotes ("Anna Schmidt").\nUsage: npx callmask ${command.usage}`,
    )
    return 2
  }
  try {
    return await command.run({ positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined>, api: adminApi(env), io })
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`callmask ${command.name}: ${error.message}`)
      return 1
    }
    throw error
  }
}
