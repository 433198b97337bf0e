// Publishes live issue transitions on the tenant's NATS subject once their rows are stored
// in ClickHouse (the batch writer's ack): apps subscribe to `callmask.issues.<tenant>`.
// Core NATS, at most once: a subscriber that was away reads `stream_issues` instead.
// Only what the row holds: pseudonymised identifiers, never raw ones.
import type { NatsConnection } from '@nats-io/nats-core'
import { issuesSubject } from '../lib/jetstream-streams.ts'
import type { Row } from './report-mapper.ts'

export interface IssueEvent {
  type: 'issue'
  tenant: string
  issue: string
  state: 'start' | 'end'
  /** ISO 8601: the interval that confirmed the transition. */
  at: string
  /** ISO 8601: the first interval of the run. */
  since: string
  value: number | null
  threshold: number
  conferenceId: string
  callId: string
  participantId: string
  peerConnectionId: string
  sessionId: string
  reportType: string
  reportId: string
  mediaKind: string
}

export function issueEvent(row: Row): IssueEvent {
  return {
    type: 'issue',
    tenant: String(row['tenant']),
    issue: String(row['issue']),
    state: row['state'] === 'end' ? 'end' : 'start',
    at: new Date(Number(row['ts'])).toISOString(),
    since: new Date(Number(row['since'])).toISOString(),
    value: typeof row['value'] === 'number' ? row['value'] : null,
    threshold: Number(row['threshold']),
    conferenceId: String(row['conference_id']),
    callId: String(row['call_id']),
    participantId: String(row['participant_id']),
    peerConnectionId: String(row['peer_connection_id']),
    sessionId: String(row['session_id']),
    reportType: String(row['report_type']),
    reportId: String(row['report_id']),
    mediaKind: String(row['kind']),
  }
}

export function createIssuePublisher(nc: NatsConnection, onPublished: (count: number) => void = () => undefined) {
  return (rows: readonly Row[]): void => {
    for (const row of rows) nc.publish(issuesSubject(String(row['tenant'])), JSON.stringify(issueEvent(row)))
    if (rows.length > 0) onPublished(rows.length)
  }
}
