// uPlot helpers: a time chart of a few series, and shaded bands for issues. Each chart made is
// also listed on `window.callmaskCharts` (name -> uPlot), so a test can read its data.
import uPlot from '/dashboard/uPlot.esm.js'

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2']
window.callmaskCharts = window.callmaskCharts ?? {}

function widthOf(element) {
  return Math.max(280, Math.floor(element.getBoundingClientRect().width) - 4)
}

/**
 * Draws (or redraws) the chart `name` into `element`: `x` in epoch seconds, `series` as
 * [{ label, values }]; options: `bands` as [{ from, to, color }] shaded behind the lines, `xRange`
 * [from, to] (default: the data's), `y` a uPlot scale, `format` the y axis' labels.
 */
export function drawChart(name, element, x, series, options = {}) {
  window.callmaskCharts[name]?.destroy()
  delete window.callmaskCharts[name]
  element.replaceChildren()
  if (x.length === 0) {
    const note = document.createElement('p')
    note.className = 'empty'
    note.textContent = 'No data in this time range.'
    element.append(note)
    return undefined
  }
  const bands = options.bands ?? []
  const chart = new uPlot(
    {
      width: widthOf(element),
      height: options.height ?? 200,
      scales: { x: options.xRange ? { time: true, range: () => options.xRange } : { time: true }, y: options.y ?? {} },
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? palette[i % palette.length], width: 1.5, spanGaps: true, points: { show: x.length < 60 } }))],
      axes: [{}, { size: 70, ...(options.format ? { values: (u, splits) => splits.map(options.format) } : {}) }],
      legend: { show: true },
      hooks: {
        drawClear: [
          (u) => {
            const { ctx, bbox } = u
            ctx.save()
            for (const band of bands) {
              const left = u.valToPos(band.from, 'x', true)
              const right = u.valToPos(band.to, 'x', true)
              ctx.fillStyle = band.color
              ctx.fillRect(Math.max(left, bbox.left), bbox.top, Math.max(2, Math.min(right, bbox.left + bbox.width) - Math.max(left, bbox.left)), bbox.height)
            }
            ctx.restore()
          },
        ],
      },
    },
    [x, ...series.map((s) => s.values)],
    element,
  )
  window.callmaskCharts[name] = chart
  return chart
}

/** Rows keyed by time, to one x axis and aligned value arrays (null where a series has no point). */
export function alignSeries(points) {
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b)
  const index = new Map(xs.map((x, i) => [x, i]))
  const keys = [...new Set(points.map((p) => p.key))]
  const values = new Map(keys.map((k) => [k, new Array(xs.length).fill(null)]))
  for (const p of points) if (p.value !== null && p.value !== undefined) values.get(p.key)[index.get(p.x)] = p.value
  return { x: xs, series: keys.map((key) => ({ key, values: values.get(key) })) }
}

/** A y scale from 0 to a little above the largest value, at least `minMax` (so all-zero loss reads 0, not 0..100). */
export function fromZero(minMax) {
  return { range: (u, min, max) => [0, Math.max(minMax, max * 1.1)] }
}

/** Large numbers as 1.2k, 3.4M (bitrates). */
export function compact(value) {
  if (value === null || value === undefined) return ''
  const abs = Math.abs(value)
  return abs >= 1e6 ? `${+(value / 1e6).toFixed(1)}M` : abs >= 1e3 ? `${+(value / 1e3).toFixed(1)}k` : String(+value.toFixed(3))
}

export function colorOf(i) {
  return palette[i % palette.length]
}
