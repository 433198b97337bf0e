// Unit: the batch writer's custody rules, against an in-memory sink that can fail on
// purpose (the real ClickHouse sink is exercised by the integration tests).
import { pino } from 'pino'
import { describe, expect, it, vi } from 'vitest'
import { createBatchWriter, type BatchItem } from '../processor/batch-writer.ts'
import type { InsertErrorKind } from '../storage/clickhouse-errors.ts'
import type { RowSink } from '../storage/clickhouse-sink.ts'
import type { TableName } from '../processor/report-mapper.ts'

const log = pino({ level: 'silent' })
const dataError = Object.assign(new Error('Cannot parse input'), { code: '27' })
const classify = (e: unknown): InsertErrorKind => (e === dataError ? 'data' : 'unavailable')

function item(seq: number, outcome: { acked: number[]; deadLettered: number[]; working: number[] }): BatchItem {
  return {
    source: { tenant: 't', sessionId: 's', seq },
    rows: { rtp_samples: [{ seq }], connection_samples: [], call_events: [], stream_issues: [] },
    ack: () => outcome.acked.push(seq),
    working: () => outcome.working.push(seq),
    deadLetter: async () => void outcome.deadLettered.push(seq),
  }
}

function recordingSink(behaviour: (table: TableName, seqs: number[]) => Promise<void> | void): RowSink & { stored: number[] } {
  const stored: number[] = []
  return {
    stored,
    async insert(table, rows) {
      const seqs = rows.map((r) => Number(r['seq']))
      await behaviour(table, seqs)
      stored.push(...seqs)
      return rows.length
    },
  }
}

describe('batch writer', () => {
  it('isolates the message ClickHouse refuses, dead-letters it and stores the rest', async () => {
    const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
    const sink = recordingSink((_t, seqs) => {
      if (seqs.includes(5)) throw dataError
    })
    const writer = createBatchWriter(sink, log, { maxRows: 100, maxMs: 10_000, heartbeatMs: 10_000, classify })
    for (let seq = 1; seq <= 8; seq++) await writer.add(item(seq, outcome))
    await writer.close()
    expect(outcome.deadLettered).toEqual([5])
    expect(outcome.acked.sort()).toEqual([1, 2, 3, 4, 6, 7, 8])
    expect(sink.stored.sort()).toEqual([1, 2, 3, 4, 6, 7, 8])
  })

  it('keeps custody while ClickHouse is down and acks only after the insert', async () => {
    const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
    let failures = 2
    const sink = recordingSink(() => {
      if (failures-- > 0) throw new Error('connect ECONNREFUSED')
    })
    const writer = createBatchWriter(sink, log, { maxRows: 100, maxMs: 10_000, heartbeatMs: 50, classify })
    await writer.add(item(1, outcome))
    await writer.flush()
    expect(outcome.acked).toEqual([1])
    expect(outcome.working.length).toBeGreaterThan(0) // kept alive during the ~600 ms of retries
    await writer.close()
  })

  it('blocks add() while one batch is written and the next is full (backpressure)', async () => {
    const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const sink = recordingSink(() => gate)
    const writer = createBatchWriter(sink, log, { maxRows: 2, maxMs: 10_000, heartbeatMs: 10_000, classify })
    await writer.add(item(1, outcome))
    await writer.add(item(2, outcome)) // batch [1,2] handed to the writer, which now waits on the gate
    await writer.add(item(3, outcome))
    let fourthAdded = false
    const fourth = writer.add(item(4, outcome)).then(() => (fourthAdded = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(fourthAdded).toBe(false)
    release()
    await fourth
    await writer.close()
    expect(outcome.acked.sort()).toEqual([1, 2, 3, 4])
  })

  it('on shutdown gives up after a few attempts and leaves the batch unacknowledged', async () => {
    const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
    const sink = recordingSink(() => {
      throw new Error('connect ECONNREFUSED')
    })
    const writer = createBatchWriter(sink, log, { maxRows: 100, maxMs: 10_000, heartbeatMs: 10_000, classify })
    await writer.add(item(1, outcome))
    await writer.close()
    expect(outcome.acked).toEqual([])
    expect(outcome.deadLettered).toEqual([])
  })

  // Regression: an error ClickHouse gave that no list named (a lone surrogate: code 25) made
  // the writer retry the batch forever, and nothing more was stored for any tenant.
  const unknownError = Object.assign(new Error('Code: 9999. DB::Exception: something new'), { code: '9999', type: 'SOMETHING_NEW' })
  const classifyUnknown = (e: unknown): InsertErrorKind => (e === unknownError ? 'unknown' : 'unavailable')

  it('an unclassified error on one message: after a few attempts the batch is split, that message dead-lettered, the rest stored', async () => {
    const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
    let attempts = 0
    const sink = recordingSink((_t, seqs) => {
      if (seqs.length === 6) attempts += 1
      if (seqs.includes(4)) throw unknownError
    })
    const writer = createBatchWriter(sink, log, { maxRows: 100, maxMs: 10_000, heartbeatMs: 10_000, classify: classifyUnknown, probe: async () => true, unknownErrorAttempts: 2 })
    for (let seq = 1; seq <= 6; seq++) await writer.add(item(seq, outcome))
    await writer.close()
    expect(attempts).toBe(3) // two whole-batch attempts, then the split
    expect(outcome.deadLettered).toEqual([4])
    expect(outcome.acked.sort()).toEqual([1, 2, 3, 5, 6])
  })

  it('an unclassified error on every message keeps custody (systemic), and so does a failed probe', async () => {
    for (const [name, probe, failAll] of [['all fail', async () => true, true], ['probe fails', async () => false, false]] as const) {
      const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
      let calls = 0
      const sink = recordingSink((_t, seqs) => {
        calls += 1
        if (failAll || seqs.includes(2)) throw unknownError
      })
      const writer = createBatchWriter(sink, log, { maxRows: 100, maxMs: 10_000, heartbeatMs: 10_000, classify: classifyUnknown, probe, unknownErrorAttempts: 1 })
      for (let seq = 1; seq <= 3; seq++) await writer.add(item(seq, outcome))
      const flushed = writer.flush()
      await vi.waitFor(() => expect(calls, name).toBeGreaterThan(6), { timeout: 10_000 })
      expect(outcome.deadLettered, name).toEqual([])
      expect(writer.oldestHeldAgeMs(), name).toBeGreaterThan(0)
      writer.stopRetrying()
      await flushed
      await writer.close()
      expect(outcome.deadLettered, name).toEqual([])
      // With the probe failing, 1 (stored before the bad one) is acked; 3 waits for redelivery.
      expect(outcome.acked, name).toEqual(failAll ? [] : [1])
    }
  })

  it('reports the age of the oldest held message, 0 when none is held', async () => {
    const outcome = { acked: [] as number[], deadLettered: [] as number[], working: [] as number[] }
    const writer = createBatchWriter(recordingSink(() => undefined), log, { maxRows: 100, maxMs: 10_000, heartbeatMs: 10_000, classify })
    expect(writer.oldestHeldAgeMs()).toBe(0)
    await writer.add(item(1, outcome))
    await vi.waitFor(() => expect(writer.oldestHeldAgeMs()).toBeGreaterThan(5))
    await writer.flush()
    expect(writer.oldestHeldAgeMs()).toBe(0)
    await writer.close()
  })
})
