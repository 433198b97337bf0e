// Per-session and per-tenant limits (the wire protocol section of README.md): frames per second as token buckets, and
// open sessions per tenant. One tenant's clients cannot take all of an ingest process.
export class TokenBucket {
  private tokens: number
  private last = performance.now()

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst
  }

  take(): boolean {
    const now = performance.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

export interface RateLimitSettings {
  framesPerSecondPerSession: number
  framesPerSecondPerTenant: number
  maxSessionsPerTenant: number
}

/** A session may send this many seconds' worth of frames at once: a resend after a reconnect. */
export const burstSeconds = 30

export interface TenantLimits {
  openSession(tenant: string): boolean
  closeSession(tenant: string): void
  takeFrame(tenant: string): boolean
  sessionBucket(): TokenBucket
}

export function createTenantLimits(settings: RateLimitSettings): TenantLimits {
  const tenants = new Map<string, { bucket: TokenBucket; sessions: number }>()
  const entry = (tenant: string) => {
    let found = tenants.get(tenant)
    if (!found) {
      const rate = settings.framesPerSecondPerTenant
      found = { bucket: new TokenBucket(rate, rate * burstSeconds), sessions: 0 }
      tenants.set(tenant, found)
    }
    return found
  }
  return {
    openSession(tenant) {
      const e = entry(tenant)
      if (e.sessions >= settings.maxSessionsPerTenant) return false
      e.sessions += 1
      return true
    },
    closeSession(tenant) {
      const e = tenants.get(tenant)
      if (e) e.sessions = Math.max(0, e.sessions - 1)
    },
    takeFrame: (tenant) => entry(tenant).bucket.take(),
    sessionBucket: () => new TokenBucket(settings.framesPerSecondPerSession, settings.framesPerSecondPerSession * burstSeconds),
  }
}
