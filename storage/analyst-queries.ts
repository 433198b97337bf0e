// The analysts' read queries over the quality model (schemas/migrations/003, 004), one
// function each, every value bound as a ClickHouse query parameter: no user string is ever
// part of the SQL text. The database name is a validated identifier from the config.
import type { ClickHouseClient } from '@clickhouse/client'
import { Readable } from 'node:stream'
import { internalQueryLimits } from './query-limits.ts'

export interface Range {
  fromMs: number
  toMs: number
}

export interface Page {
  limit: number
  offset: number
}

/** `json`: one document; `csv` (with a header line) and `ndjson` (one object a line) stream. */
export type ResultFormat = 'json' | 'csv' | 'ndjson'

type Params = Record<string, string | number>

/** JSON rows, or for the streamed formats the result's lines as they come from ClickHouse. */
async function select(client: ClickHouseClient, sql: string, params: Params, format: ResultFormat): Promise<Record<string, unknown>[] | Readable> {
  // Limits of their own: chdb keeps one query's settings for the next (query-limits.ts).
  const result = await client.query({ query: sql, query_params: params, format: format === 'csv' ? 'CSVWithNames' : 'JSONEachRow', clickhouse_settings: internalQueryLimits(30) })
  if (format === 'json') return result.json<Record<string, unknown>>()
  return Readable.from(
    (async function* () {
      for await (const rows of result.stream()) for (const row of rows as { text: string }[]) yield row.text + '\n'
    })(),
  )
}

const rangeParams = (tenant: string, range: Range): Params => ({ tenant, from: range.fromMs, to: range.toMs })
const fromTo = (column: string) => `${column} >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND ${column} < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`

export function createAnalystQueries(client: ClickHouseClient, database: string) {
  return {
    /** Per minute, conference, kind and direction: MOS, loss, jitter and RTT percentiles. */
    qualityOverTime(tenant: string, range: Range, filter: { conferenceId?: string | undefined; kind?: string | undefined; direction?: string | undefined }, page: Page, format: ResultFormat) {
      const params: Params = { ...rangeParams(tenant, range), limit: page.limit, offset: page.offset }
      const where = [`tenant = {tenant:String}`, fromTo('minute')]
      if (filter.conferenceId !== undefined) (where.push('conference_id = {conference:String}'), (params['conference'] = filter.conferenceId))
      if (filter.kind !== undefined) (where.push('kind = {kind:String}'), (params['kind'] = filter.kind))
      if (filter.direction !== undefined) (where.push('direction = {direction:String}'), (params['direction'] = filter.direction))
      return select(
        client,
        `SELECT minute, conference_id, kind, direction, streams, intervals, mos_p5, mos_p50, mos_avg, loss_p50, loss_p95, loss_avg,
                jitter_p50, jitter_p95, rtt_p50, rtt_p95, bitrate_avg, concealment_avg, freeze_duration, quality_limited_share
         FROM ${database}.quality_per_minute WHERE ${where.join(' AND ')}
         ORDER BY minute, conference_id, kind, direction LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        params,
        format,
      )
    },

    /**
     * Each participant's call in the range, worst first: lowest received-audio MOS p5 (to 0.1:
     * finer differences are below what the E-model can tell apart), then the most
     * received-video freeze time, then the most loss. MOS and loss are of the
     * received audio; freezes of the received video; the quality-limited share of the sent video.
     */
    worstCalls(tenant: string, range: Range, page: Page, format: ResultFormat) {
      const audio = "kind = 'audio' AND direction = 'received'"
      const video = "kind = 'video' AND direction = 'received'"
      return select(
        client,
        `SELECT conference_id, call_id, participant_id, peer_connection_id, min(s.started) AS started, max(s.ended) AS ended,
                dateDiff('millisecond', started, ended) / 1000 AS duration_s, anyIf(codec, ${audio}) AS codec,
                minIf(mos_p5, ${audio}) AS mos_p5, minIf(mos_p50, ${audio}) AS mos_p50, maxIf(loss_avg, ${audio}) AS loss_avg,
                maxIf(loss_p95, ${audio}) AS loss_p95, maxIf(jitter_p95, ${audio}) AS jitter_p95, maxIf(rtt_p95, ${audio}) AS rtt_p95,
                sumIf(freeze_count, ${video}) AS freeze_count, sumIf(freeze_duration, ${video}) AS freeze_duration,
                maxIf(quality_limited_share, kind = 'video' AND direction = 'sent') AS video_quality_limited_share,
                any(local_candidate_types) AS local_candidate_types, any(remote_candidate_types) AS remote_candidate_types, max(relayed) AS relayed
         FROM ${database}.call_summaries AS s
         WHERE s.tenant = {tenant:String}
           AND s.ended >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND s.started < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
         GROUP BY conference_id, call_id, participant_id, peer_connection_id
         ORDER BY round(mos_p5, 1) ASC NULLS LAST, freeze_duration DESC, loss_avg DESC, mos_p5 ASC, conference_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        { ...rangeParams(tenant, range), limit: page.limit, offset: page.offset },
        format,
      )
    },

    /** One conference's intervals per participant and stream, its issues and its events. */
    async callTimeline(tenant: string, conferenceId: string, range: Range, maxRows: number) {
      const params: Params = { ...rangeParams(tenant, range), conference: conferenceId, limit: maxRows }
      const scope = `tenant = {tenant:String} AND conference_id = {conference:String}`
      const json = async (sql: string) => (await select(client, sql, params, 'json')) as Record<string, unknown>[]
      const [intervals, issues, events] = await Promise.all([
        json(
          `SELECT report_ts AS ts, call_id, participant_id, peer_connection_id, report_type, report_id, kind, codec, interval_ms,
                  interval_bitrate_bps, interval_packet_rate, interval_loss_fraction, jitter, connection_rtt, interval_average_rtt, mos,
                  interval_jitter_buffer_delay, interval_concealment_ratio, interval_frames_per_second, frame_width, frame_height,
                  interval_freeze_duration, interval_quality_limited_share
           FROM ${database}.rtp_samples WHERE ${scope} AND interval_state = 'ok' AND ${fromTo('report_ts')}
           ORDER BY ts, participant_id, report_id LIMIT {limit:UInt32}`,
        ),
        json(
          `SELECT ts, since, participant_id, peer_connection_id, report_type, report_id, kind, issue, state, value, threshold
           FROM ${database}.stream_issues WHERE ${scope} AND ${fromTo('ts')} ORDER BY ts LIMIT {limit:UInt32}`,
        ),
        json(
          `SELECT ts, participant_id, peer_connection_id, name, value_text, value_number
           FROM ${database}.call_events WHERE ${scope} AND ${fromTo('ts')} ORDER BY ts LIMIT {limit:UInt32}`,
        ),
      ])
      return { intervals, issues, events }
    },

    /** Histogram of one metric over the tenant's received-media intervals. */
    distribution(tenant: string, metric: DistributionMetric, range: Range, format: ResultFormat) {
      const { column, step } = distributionMetrics[metric]
      return select(
        client,
        `SELECT floor(value / {step:Float64}) * {step:Float64} AS bucket_from, bucket_from + {step:Float64} AS bucket_to, count() AS intervals
         FROM (SELECT ${column} AS value FROM ${database}.rtp_samples
               WHERE tenant = {tenant:String} AND report_type = 'inbound-rtp' AND interval_state = 'ok' AND ${fromTo('report_ts')} AND value IS NOT NULL)
         GROUP BY bucket_from ORDER BY bucket_from`,
        { ...rangeParams(tenant, range), step },
        format,
      )
    },

    /** Issues whose last transition is a start. */
    activeAlerts(tenant: string, page: Page, format: ResultFormat) {
      return select(
        client,
        `SELECT conference_id, call_id, participant_id, peer_connection_id, report_type, report_id, kind, issue, since, confirmed, value, threshold
         FROM ${database}.active_issues WHERE tenant = {tenant:String}
         ORDER BY confirmed DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        { tenant, limit: page.limit, offset: page.offset },
        format,
      )
    },
  }
}

/** The metrics a distribution can be asked for: a fixed column and bucket width each. */
export const distributionMetrics = {
  mos: { column: 'mos', step: 0.1 },
  rtt: { column: 'connection_rtt', step: 0.025 },
  loss: { column: 'interval_loss_fraction', step: 0.005 },
  jitter: { column: 'jitter', step: 0.0025 },
} as const
export type DistributionMetric = keyof typeof distributionMetrics

export type AnalystQueries = ReturnType<typeof createAnalystQueries>
