// Runs one of the project's commands (a bin/ script under tsx) as a user would, and returns
// its exit code and output whether it succeeded or not.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx')

export interface ScriptResult {
  code: number
  stdout: string
  stderr: string
}

/** `input`: written to the script's standard input (closed either way). */
export async function runScript(script: string, args: string[] = [], options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<ScriptResult> {
  try {
    const running = run(tsx, [script, ...args], { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000 })
    running.child.stdin?.end(options.input ?? '')
    const { stdout, stderr } = await running
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as ScriptResult
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
