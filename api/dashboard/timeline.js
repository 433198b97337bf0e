// One conference's timeline: MOS per received audio stream and bitrate per stream, with its
// issues shaded as bands (start..end, or start..last point while still open) and listed.
import { toSeconds } from './api-client.js'
import { alignSeries, colorOf, compact, drawChart, fromZero } from './charts.js'

const bandColors = { 'video-freeze': 'rgba(229, 115, 115, 0.35)', 'bandwidth-limitation': 'rgba(240, 160, 48, 0.30)' }
const otherBand = 'rgba(149, 117, 205, 0.30)'

function streamLabel(row) {
  const direction = row.report_type === 'outbound-rtp' ? 'sent' : row.report_type === 'inbound-rtp' ? 'received' : row.report_type
  return `${row.participant_id} ${row.kind} ${direction} (${row.report_id})`
}

/** Issue rows (start/end transitions) to bands: each start closed by its stream's next end. */
export function issueBands(issues, lastX) {
  const open = new Map()
  const bands = []
  for (const row of issues) {
    const key = `${row.participant_id}|${row.report_id}|${row.issue}`
    const since = toSeconds(row.since ?? row.ts)
    if (row.state === 'start') {
      if (!open.has(key)) open.set(key, { row, from: since })
    } else {
      const started = open.get(key)
      open.delete(key)
      bands.push({ row, from: started?.from ?? since, to: toSeconds(row.ts), open: false })
    }
  }
  for (const { row, from } of open.values()) bands.push({ row, from, to: Math.max(lastX, from), open: true })
  return bands.map((b) => ({ ...b, color: bandColors[b.row.issue] ?? otherBand }))
}

export function renderTimeline(elements, timeline) {
  const intervals = timeline.intervals ?? []
  const mosPoints = intervals
    .filter((r) => r.report_type === 'inbound-rtp' && r.kind === 'audio' && typeof r.mos === 'number')
    .map((r) => ({ x: toSeconds(r.ts), key: streamLabel(r), value: r.mos }))
  const bitratePoints = intervals
    .filter((r) => typeof r.interval_bitrate_bps === 'number')
    .map((r) => ({ x: toSeconds(r.ts), key: streamLabel(r), value: r.interval_bitrate_bps }))
  const lastX = Math.max(0, ...intervals.map((r) => toSeconds(r.ts)))
  const bands = issueBands(timeline.issues ?? [], lastX)

  const mos = alignSeries(mosPoints)
  drawChart('timeline-mos', elements.mos, mos.x, mos.series.map((s, i) => ({ label: s.key, values: s.values, color: colorOf(i) })), { bands, y: { range: [1, 5] } })
  const bitrate = alignSeries(bitratePoints)
  drawChart('timeline-bitrate', elements.bitrate, bitrate.x, bitrate.series.map((s, i) => ({ label: s.key, values: s.values, color: colorOf(i) })), { bands, y: fromZero(1000), format: compact })

  elements.issues.replaceChildren(
    ...bands.map((band) => {
      const item = document.createElement('li')
      item.className = 'issue-marker'
      item.dataset.issue = band.row.issue
      item.style.setProperty('--band', band.color)
      const from = new Date(band.from * 1000).toISOString().slice(11, 19)
      const to = band.open ? 'ongoing' : new Date(band.to * 1000).toISOString().slice(11, 19)
      item.textContent = `${band.row.issue} · ${streamLabel(band.row)} · ${from}–${to} UTC`
      return item
    }),
  )
  if (bands.length === 0) elements.issues.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No issues in this range.' }))
}
