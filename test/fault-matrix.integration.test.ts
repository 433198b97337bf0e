// Two rows of the fault matrix (`npm run faults` runs them all, longer) in the suite, those
// no other test covers: ClickHouse stopped (connections refused) and ClickHouse slow, under a
// steady load on the scaled-out processes of test/support/fault-harness.ts. Nothing acked is
// lost, nothing is stored twice, every frame sent is acked.
import { describe, expect, it } from 'vitest'
import { runFaultScenario } from './support/fault-harness.ts'
import { clickhouseSlow, clickhouseUnavailable } from './support/fault-scenarios.ts'

const short = { sessions: 2, beforeS: 2, afterS: 3, ackWaitS: 5 }

describe('fault matrix, ClickHouse rows (integration)', () => {
  it.each([clickhouseUnavailable(5), clickhouseSlow(1500, 5)])('$name: nothing lost or doubled', async (scenario) => {
    const result = await runFaultScenario(scenario, short)
    expect(result.sent).toBeGreaterThan(0)
    expect(result).toMatchObject({ acked: result.sent, stored: result.sent, duplicates: 0, lost: 0 })
    expect(Number.isFinite(result.recoveryS)).toBe(true)
  }, 300_000)
})
