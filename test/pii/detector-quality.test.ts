// Measures each detector on the labelled corpus (test/pii/corpus) and asserts
// the precision/recall floors. Prints the confusion table for the record.
import { describe, expect, it } from 'vitest'
import { detectPii } from '../../pii/detect-pii.ts'
import type { PiiSpan } from '../../pii/span.ts'
import { buildCorpus } from './corpus/build-corpus.ts'
import type { CorpusItem, Expected } from './corpus/build-corpus.ts'

interface Tally { tp: number; fp: number; fn: number }
type Row = 'phone' | 'email' | 'sip' | 'ip' | 'name-latin' | 'name-nonlatin'

function rowOf(kind: PiiSpan['kind'], group: string): Row {
  if (kind !== 'name') return kind
  return group === 'name-nonlatin' ? 'name-nonlatin' : 'name-latin'
}

function matches(found: PiiSpan, want: Expected): boolean {
  return found.kind === want.kind && found.start === want.start && found.end === want.end
    && (want.normalised === '' || found.normalised === want.normalised)
}

function evaluate(corpus: readonly CorpusItem[]) {
  const tallies = new Map<Row, Tally>()
  const tally = (row: Row) => tallies.get(row) ?? (tallies.set(row, { tp: 0, fp: 0, fn: 0 }), tallies.get(row)!)
  const falsePositivesByGroup = new Map<string, string[]>()
  const misses: string[] = []
  for (const it of corpus) {
    const found = detectPii(it.text)
    const unmatched = [...it.expected]
    for (const f of found) {
      const k = unmatched.findIndex((w) => matches(f, w))
      if (k >= 0) { unmatched.splice(k, 1); tally(rowOf(f.kind, it.group)).tp++; continue }
      tally(rowOf(f.kind, it.group)).fp++
      const list = falsePositivesByGroup.get(it.group) ?? []
      list.push(`${it.text} -> ${f.kind}:${it.text.slice(f.start, f.end)}`)
      falsePositivesByGroup.set(it.group, list)
    }
    for (const w of unmatched) { tally(rowOf(w.kind, it.group)).fn++; misses.push(`${it.group}: ${it.text} (${w.kind})`) }
  }
  return { tallies, falsePositivesByGroup, misses }
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b)

describe('detector quality on the labelled corpus', () => {
  const corpus = buildCorpus()
  const { tallies, falsePositivesByGroup, misses } = evaluate(corpus)
  const pr = (row: Row) => {
    const t = tallies.get(row) ?? { tp: 0, fp: 0, fn: 0 }
    return { ...t, p: ratio(t.tp, t.tp + t.fp), r: ratio(t.tp, t.tp + t.fn) }
  }

  /** Share of a negative group's items with at least one detection. */
  const flaggedShare = (group: string) => {
    const items = corpus.filter((item) => item.group === group)
    const flagged = new Set((falsePositivesByGroup.get(group) ?? []).map((line) => line.slice(0, line.lastIndexOf(' -> '))))
    return { items: items.length, flagged: flagged.size, rate: ratio(flagged.size, items.length) }
  }

  it('prints the confusion figures', () => {
    const rows = (['phone', 'email', 'sip', 'ip', 'name-latin', 'name-nonlatin'] as const).map((row) => {
      const { tp, fp, fn, p, r } = pr(row)
      return `${row.padEnd(14)} TP ${String(tp).padStart(5)}  FP ${String(fp).padStart(4)}  FN ${String(fn).padStart(4)}  P ${p.toFixed(3)}  R ${r.toFixed(3)}`
    })
    const groups = ['room-names', 'room-names-unseen'].map((group) => {
      const { items, flagged, rate } = flaggedShare(group)
      return `${group.padEnd(18)} items ${String(items).padStart(4)}  flagged ${String(flagged).padStart(3)}  FP rate ${rate.toFixed(3)}`
    })
    console.log([`corpus: ${corpus.length} items`, ...rows, ...groups,
      `false positives by group: ${JSON.stringify(Object.fromEntries([...falsePositivesByGroup].map(([g, l]) => [g, l.slice(0, 10)])))}`,
      `misses (first 40 of ${misses.length}): ${JSON.stringify(misses.slice(0, 40))}`].join('\n'))
    expect(corpus.length).toBeGreaterThan(5000)
  })

  it('international phone numbers: P = 1.00, R >= 0.999, over every region', () => {
    const { p, r, tp } = pr('phone')
    expect(tp).toBeGreaterThan(245 * 10)
    expect(p).toBe(1)
    expect(r).toBeGreaterThanOrEqual(0.999)
  })

  it('no detection at all on numeric ids, SSRCs, epochs, UUIDs, hex or nanoids', () => {
    for (const group of ['numeric-id', 'uuid', 'hex', 'nanoid', 'timestamp']) {
      expect(corpus.filter((item) => item.group === group).length, group).toBeGreaterThanOrEqual(300)
      expect(falsePositivesByGroup.get(group) ?? []).toEqual([])
    }
  })

  it.each(['email', 'sip', 'ip'] as const)('%s: P and R >= 0.999', (row) => {
    const { p, r, tp } = pr(row)
    expect(tp).toBeGreaterThan(100)
    expect(p).toBeGreaterThanOrEqual(0.999)
    expect(r).toBeGreaterThanOrEqual(0.999)
  })

  it('Latin-script names: P >= 0.95, R >= 0.85', () => {
    const { p, r } = pr('name-latin')
    expect(p).toBeGreaterThanOrEqual(0.95)
    expect(r).toBeGreaterThanOrEqual(0.85)
  })

  it('meeting and room names: no more than 5% read as a personal name', () => {
    const { items, rate } = flaggedShare('room-names')
    expect(items).toBeGreaterThanOrEqual(300)
    expect(rate).toBeLessThanOrEqual(0.05)
    // Room-name false positives count against Latin-name precision above too.
    expect(pr('name-latin').p).toBeGreaterThanOrEqual(0.95)
  })

  it('non-Latin names are detected', () => {
    const { r, p } = pr('name-nonlatin')
    expect(r).toBeGreaterThanOrEqual(0.8)
    expect(p).toBeGreaterThanOrEqual(0.95)
  })
})
