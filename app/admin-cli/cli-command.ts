// One command of `callmask <command>`: its name, usage line, options (node:util parseArgs)
// and what it does with the admin API. Returns the exit code; a CliError becomes a sentence.
import type { AdminApi } from './admin-api-client.ts'

export interface CliIo {
  out(line: string): void
  stdin: NodeJS.ReadableStream
  stdout: NodeJS.WritableStream
}

export interface CliCommand {
  name: string
  usage: string
  summary: string
  options?: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string | boolean }>
  run(context: { positionals: string[]; values: Record<string, string | boolean | undefined>; api: AdminApi; io: CliIo }): Promise<number>
}
