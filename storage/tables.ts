// The tables the processor writes, and the shape of one row as the sink inserts it.
// Schemas: schemas/migrations/.

export type Row = Record<string, string | number | null>

export const tableNames = ['rtp_samples', 'connection_samples', 'call_events', 'stream_issues'] as const
export type TableName = (typeof tableNames)[number]
