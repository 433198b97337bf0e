// The dashboard page: asks for tenant and analyst key, then shows per-minute quality charts,
// the worst calls (click one for its timeline) and the active alerts, polled every few seconds.
import { ApiError, forgetLogin, getJson, saveLogin, savedLogin, toSeconds } from './api-client.js'
import { drawChart, fromZero } from './charts.js'
import { renderTimeline } from './timeline.js'

const alertPollMs = 5000
const $ = (id) => document.getElementById(id)
const state = { login: savedLogin(), rangeSeconds: 3600, conference: undefined, alertsTimer: undefined }

function range() {
  const to = new Date()
  return { from: new Date(to.getTime() - state.rangeSeconds * 1000).toISOString(), to: to.toISOString() }
}

function showError(error) {
  const box = $('error')
  if (!error) return void (box.hidden = true)
  box.textContent = error instanceof ApiError && error.status === 401 ? `401 Unauthorized: ${error.message.replace(/^401: /, '')}. Check the analyst key.` : `Request failed: ${error.message}`
  box.hidden = false
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null
}
const numbers = (rows, column) => rows.map((r) => r[column]).filter((v) => typeof v === 'number')

/** Rows per minute, conference, kind and direction -> one point per minute: p5 the lowest, p50 the median, p95 the highest. */
export function perMinute(rows) {
  const minutes = new Map()
  for (const row of rows) {
    const x = toSeconds(row.minute)
    if (!minutes.has(x)) minutes.set(x, [])
    minutes.get(x).push(row)
  }
  const x = [...minutes.keys()].sort((a, b) => a - b)
  const pick = (column, how) =>
    x.map((m) => {
      const values = numbers(minutes.get(m), column)
      if (!values.length) return null
      return how === 'min' ? Math.min(...values) : how === 'max' ? Math.max(...values) : median(values)
    })
  const audioReceived = (m) => minutes.get(m).filter((r) => r.kind === 'audio' && r.direction === 'received')
  const mos = (column, how) => x.map((m) => {
    const values = numbers(audioReceived(m), column)
    return values.length ? (how === 'min' ? Math.min(...values) : median(values)) : null
  })
  return {
    x,
    mosP5: mos('mos_p5', 'min'), mosP50: mos('mos_p50', 'median'),
    lossP50: pick('loss_p50', 'median'), lossP95: pick('loss_p95', 'max'),
    jitterP50: pick('jitter_p50', 'median'), jitterP95: pick('jitter_p95', 'max'),
    rttP50: pick('rtt_p50', 'median'), rttP95: pick('rtt_p95', 'max'),
  }
}

async function loadQuality() {
  const span = range()
  const body = await getJson(state.login, 'quality', { ...span, limit: 10000 })
  const q = perMinute(body.rows)
  const xRange = [Date.parse(span.from) / 1000, Date.parse(span.to) / 1000]
  drawChart('mos', $('chart-mos'), q.x, [{ label: 'MOS p5', values: q.mosP5 }, { label: 'MOS p50', values: q.mosP50 }], { xRange, y: { range: [1, 5] } })
  drawChart('loss', $('chart-loss'), q.x, [{ label: 'loss p50', values: q.lossP50 }, { label: 'loss p95', values: q.lossP95 }], { xRange, y: fromZero(0.01) })
  drawChart('jitter', $('chart-jitter'), q.x, [{ label: 'jitter p50', values: q.jitterP50 }, { label: 'jitter p95', values: q.jitterP95 }], { xRange, y: fromZero(0.005) })
  drawChart('rtt', $('chart-rtt'), q.x, [{ label: 'RTT p50', values: q.rttP50 }, { label: 'RTT p95', values: q.rttP95 }], { xRange, y: fromZero(0.01) })
}

const fixed = (v, digits) => (typeof v === 'number' ? v.toFixed(digits) : '–')

async function loadWorstCalls() {
  const body = await getJson(state.login, 'calls/worst', { ...range(), limit: 20 })
  const rows = body.rows.map((call) => {
    const tr = document.createElement('tr')
    tr.dataset.conference = call.conference_id
    tr.dataset.participant = call.participant_id
    tr.dataset.peerConnection = call.peer_connection_id
    const cells = [call.conference_id, call.participant_id, call.peer_connection_id, String(call.started).slice(0, 19), `${fixed(call.duration_s, 0)} s`, fixed(call.mos_p5, 2), fixed(call.mos_p50, 2), fixed(call.loss_p95, 3), fixed(call.jitter_p95, 3), fixed(call.rtt_p95, 3), String(call.freeze_count ?? 0)]
    tr.replaceChildren(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })))
    tr.addEventListener('click', () => {
      for (const other of tr.parentElement.children) other.classList.toggle('selected', other === tr)
      state.conference = call.conference_id
      loadTimeline().catch(showError)
    })
    return tr
  })
  if (rows.length === 0) rows.push(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="11">No calls in this time range.</td>' }))
  $('worst-calls').tBodies[0].replaceChildren(...rows)
}

async function loadTimeline() {
  if (!state.conference) return
  const timeline = await getJson(state.login, `conferences/${encodeURIComponent(state.conference)}/timeline`, range())
  $('timeline').hidden = false
  $('timeline-title').textContent = state.conference
  renderTimeline({ mos: $('chart-timeline-mos'), bitrate: $('chart-timeline-bitrate'), issues: $('timeline-issues') }, timeline)
}

async function loadAlerts() {
  const body = await getJson(state.login, 'alerts', { limit: 100 })
  const items = body.rows.map((alert) => {
    const li = document.createElement('li')
    li.dataset.issue = alert.issue
    li.textContent = `${alert.issue} · ${alert.conference_id} · ${alert.participant_id} ${alert.kind} (${alert.report_id}) since ${String(alert.since).slice(11, 19)} UTC`
    return li
  })
  if (items.length === 0) items.push(Object.assign(document.createElement('li'), { textContent: 'No active alerts.' }))
  $('alerts').replaceChildren(...items)
  $('alerts-updated').textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`
}

function pollAlerts() {
  clearTimeout(state.alertsTimer)
  state.alertsTimer = setTimeout(async () => {
    if (!state.login) return
    await loadAlerts().then(() => showError(undefined), showError)
    pollAlerts()
  }, alertPollMs)
}

async function refresh() {
  if (!state.login) return
  // Shown before drawing, so the charts take the page's width.
  $('content').hidden = false
  try {
    await Promise.all([loadQuality(), loadWorstCalls(), loadAlerts(), loadTimeline()])
    showError(undefined)
    $('logout').hidden = false
    document.body.dataset.loaded = 'true'
    pollAlerts()
  } catch (error) {
    showError(error)
    $('content').hidden = true
    delete document.body.dataset.loaded
    clearTimeout(state.alertsTimer)
  }
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault()
  state.login = { tenant: $('tenant').value.trim(), key: $('key').value }
  saveLogin(state.login)
  $('key').value = ''
  refresh()
})
$('logout').addEventListener('click', () => {
  forgetLogin()
  state.login = undefined
  clearTimeout(state.alertsTimer)
  $('content').hidden = true
  $('logout').hidden = true
})
for (const button of document.querySelectorAll('#range button')) {
  button.addEventListener('click', () => {
    state.rangeSeconds = Number(button.dataset.range)
    for (const other of document.querySelectorAll('#range button')) other.setAttribute('aria-pressed', String(other === button))
    refresh()
  })
}
if (state.login) $('tenant').value = state.login.tenant
refresh()
