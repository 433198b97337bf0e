// `npm start` and `npx callmask [start]`: run callmask (app/start-command.ts).
// `npx callmask <command> ...`: a privacy officer's operation against the running callmask
// through its admin API (app/admin-cli/). Each part is loaded only when used, so a command
// starts quickly and never opens the store or the native WebSocket module.
const [command, ...args] = process.argv.slice(2)
if (command === undefined || command === 'start') {
  const { runStart, startFailed } = await import('../app/start-command.ts')
  await runStart().catch(startFailed)
} else {
  const { runAdminCli } = await import('../app/admin-cli/run-admin-cli.ts')
  process.exitCode = await runAdminCli([command, ...args], process.env, {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    stdin: process.stdin,
    stdout: process.stdout,
  })
}
