// A getStats() result too large for one frame (a call with hundreds of ICE candidates, an
// SFU with many streams) is split so that each candidate pair travels with its two
// candidates and each RTP stream with its codec: the processor joins them within one frame.
// The browser SDK and the rtcstats importer both send through this.
import type { StatsReport } from '../schemas/frames.ts'
import { statsFrameSchema } from '../schemas/frames.ts'

export const maxReportsPerFrame: number = statsFrameSchema.properties.reports.maxItems
/** JSON bytes of reports per frame; msgpack is smaller, and the ingest limit is 256 KiB. */
export const maxReportBytesPerFrame = 192 * 1024

/** Whether `reports` need splitting (the byte check only runs when the count is close). */
export function fitsOneFrame(reports: readonly StatsReport[]): boolean {
  return reports.length <= maxReportsPerFrame && JSON.stringify(reports).length <= maxReportBytesPerFrame
}

/** The reports in chunks that each fit one frame, keeping what the processor joins together. */
export function splitReports(reports: readonly StatsReport[]): StatsReport[][] {
  return packUnits(unitsOf(reports))
}

// Reports that must share a frame: a pair with its candidates, an RTP stream with its codec.
function unitsOf(reports: readonly StatsReport[]): StatsReport[][] {
  const byId = new Map(reports.map((r) => [r.id, r]))
  const ref = (report: StatsReport, field: string) => (typeof report[field] === 'string' ? byId.get(report[field]) : undefined)
  const units: StatsReport[][] = []
  const placed = new Set<string>()
  for (const report of reports) {
    if (report.type === 'candidate-pair') {
      const unit = [report, ref(report, 'localCandidateId'), ref(report, 'remoteCandidateId')].filter((r): r is StatsReport => r !== undefined)
      units.push(unit)
      for (const r of unit) placed.add(r.id)
    } else if (report.type.endsWith('-rtp')) {
      const codec = ref(report, 'codecId')
      units.push(codec ? [report, codec] : [report])
      placed.add(report.id)
    }
  }
  // Codecs go again with every stream that names them; candidates of no pair, transports and
  // sources travel alone.
  for (const report of reports) if (!placed.has(report.id) && !(report.type === 'codec' && units.some((u) => u.includes(report)))) units.push([report])
  return units
}

function packUnits(units: StatsReport[][]): StatsReport[][] {
  const chunks: StatsReport[][] = []
  let current: StatsReport[] = []
  let bytes = 0
  for (const unit of units) {
    const unitBytes = JSON.stringify(unit).length
    if (current.length > 0 && (current.length + unit.length > maxReportsPerFrame || bytes + unitBytes > maxReportBytesPerFrame)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(...unit)
    bytes += unitBytes
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}
