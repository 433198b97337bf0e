// The dashboard's view of the analyst API: the key and tenant kept in sessionStorage (never in
// a URL), sent as `Authorization: Bearer`, and an error that carries the API's own message.
const storage = window.sessionStorage

export class ApiError extends Error {
  constructor(status, message) {
    super(`${status}: ${message}`)
    this.name = 'ApiError'
    this.status = status
  }
}

export function savedLogin() {
  const key = storage.getItem('callmask.key')
  const tenant = storage.getItem('callmask.tenant')
  return key && tenant ? { key, tenant } : undefined
}

export function saveLogin(login) {
  storage.setItem('callmask.key', login.key)
  storage.setItem('callmask.tenant', login.tenant)
}

export function forgetLogin() {
  storage.removeItem('callmask.key')
  storage.removeItem('callmask.tenant')
}

/** GET `/v1/tenants/<tenant>/<path>` with the query's entries; resolves to the parsed JSON body. */
export async function getJson(login, path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null))
  const url = `/v1/tenants/${encodeURIComponent(login.tenant)}/${path}${params.size ? `?${params}` : ''}`
  const response = await fetch(url, { headers: { authorization: `Bearer ${login.key}`, accept: 'application/json' }, cache: 'no-store' })
  const body = await response.json().catch(() => ({}))
  if (!response.ok) throw new ApiError(response.status, body.message ?? response.statusText)
  return body
}

/** ClickHouse's JSON time ('2026-12-02 16:30:00.000', UTC) or an ISO string or epoch ms, to epoch seconds. */
export function toSeconds(value) {
  if (typeof value === 'number') return value > 1e11 ? value / 1000 : value
  const text = String(value)
  const iso = text.includes('T') ? text : text.replace(' ', 'T')
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`) / 1000
}
