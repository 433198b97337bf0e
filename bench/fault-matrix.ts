// `npm run faults`: the fault matrix of issue 14. Each fault runs against a fresh scaled-out
// callmask of real processes (three-node JetStream cluster, ClickHouse process, two ingest
// and two processor processes) under a steady load; one table at the end.
//   npm run faults                      every fault
//   npm run faults -- --only=ClickHouse the faults whose name contains this ('a|b': either)
import { faultMatrix } from '../test/support/fault-scenarios.ts'
import { runFaultScenario, type FaultResult } from '../test/support/fault-harness.ts'

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const scenarios = faultMatrix.filter((s) => !only || only.split('|').some((part) => s.name.includes(part)))
if (scenarios.length === 0) {
  process.stderr.write(`No fault's name contains "${only}". The faults: ${faultMatrix.map((s) => s.name).join('; ')}\n`)
  process.exit(2)
}
const results: FaultResult[] = []
for (const [i, scenario] of scenarios.entries()) {
  process.stdout.write(`[${i + 1}/${scenarios.length}] ${scenario.name} ...\n`)
  const result = await runFaultScenario(scenario)
  results.push(result)
  process.stdout.write(`    sent ${result.sent}, acked ${result.acked}, stored ${result.stored}, duplicates ${result.duplicates}, lost ${result.lost}, later copies removed ${result.copiesRemoved}, longest ack pause ${result.ackPauseS.toFixed(1)} s, frames acked before the fault stored ${result.caughtUpS.toFixed(1)} s after it, recovered ${result.recoveryS.toFixed(1)} s after the repair\n`)
}
const seconds = (s: number) => (Number.isFinite(s) ? s.toFixed(1) : 'never')
const lines = [
  '| fault | frames sent | acked | stored | duplicates | lost | later copies removed | longest ack pause (s) | acked before the fault, stored after (s) | recovery after repair (s) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.fault} | ${r.sent} | ${r.acked} | ${r.stored} | ${r.duplicates} | ${r.lost} | ${r.copiesRemoved} | ${seconds(r.ackPauseS)} | ${seconds(r.caughtUpS)} | ${seconds(r.recoveryS)} |`),
]
process.stdout.write(`\n${lines.join('\n')}\n`)
const bad = results.filter((r) => r.lost > 0 || r.duplicates > 0 || r.acked < r.sent)
if (bad.length > 0) {
  process.stdout.write(`\n${bad.length} fault(s) lost, doubled or left unacked frames: ${bad.map((r) => r.fault).join('; ')}\n`)
  process.exitCode = 1
} else process.stdout.write('\nNo fault lost or doubled a frame, and every frame sent was acked.\n')
