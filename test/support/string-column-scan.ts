// Scans every String column of every table of a test world for any of the needles (case-
// insensitive, UTF-8): what a privacy test uses to prove no raw personal value was stored.
// Returns the columns it scanned too, so a test can first prove there was something to scan.
// Pseudonyms (`p_k<version>_` + 22 base64url characters) are taken out of a value before it
// is searched: random letters can spell a short name (`lan`) by chance, which is no leak.
import type { TestWorld } from './test-pipeline.ts'

export async function scanStringColumns(world: TestWorld, needles: string[]): Promise<{ columns: { table: string; name: string }[]; leaks: string[] }> {
  const columns = await world.query<{ table: string; name: string }>(
    `SELECT table, name FROM system.columns WHERE database = {database:String} AND type LIKE '%String%' AND table != 'schema_migrations'`,
    { database: world.database },
  )
  const leaks: string[] = []
  for (const { table, name } of columns) {
    const rows = await world.query<{ v: string }>(
      `SELECT DISTINCT toString(${name}) AS v FROM {db}.${table}
       WHERE multiSearchAnyCaseInsensitiveUTF8(replaceRegexpAll(toString(${name}), 'p_k[0-9]+_[A-Za-z0-9_-]{22}', ''), {needles:Array(String)})`,
      { needles },
    )
    for (const row of rows) leaks.push(`${table}.${name}: ${row.v}`)
  }
  return { columns, leaks }
}
