// What the SQL endpoint runs: one SELECT over the analyst tables and views, nothing else.
// ClickHouse's own parser decides (EXPLAIN AST), never a regular expression over the text:
// every table the query reads must be one of `analystTables`, unqualified (the endpoint
// binds those names to the tenant's rows), no table functions (`file`, `url`, `remote`,
// `numbers`...), no SETTINGS, no INTO OUTFILE, no FORMAT, no sleeping.
import type { ClickHouseClient } from '@clickhouse/client'
import { internalQueryLimits } from '../storage/query-limits.ts'

export const analystTables = ['rtp_samples', 'connection_samples', 'call_events', 'stream_issues', 'quality_per_minute', 'call_summaries', 'active_issues'] as const

export class SqlRefusedError extends Error {}

// Functions that read outside the query's tables, or tell about the server: whole families.
const forbiddenFunction = /^(sleep|sleepEachRow|file|url|input|dict[A-Z].*|dictGet.*|dictHas|joinGet.*|getSetting.*|getServerSetting.*|hasColumnInTable|hasThreadFuzzer|currentDatabase|database|current_database|schema|currentSchemas|currentUser|current_user|user|currentProfiles|currentRoles|enabledProfiles|enabledRoles|defaultProfiles|defaultRoles|hostName|hostname|fqdn|FQDN|version|uptime|getOSKernelVersion|filesystem.*|tcpPort|serverUUID|getMacro|displayName|buildId|revision|zookeeperSessionUptime|getClientHTTPHeader|initialQueryID|queryID|initial_query_id|query_id|shardNum|shardCount|transactionID|transactionLatestSnapshot|transactionOldestSnapshot|getTypeSerializationStreams|globalVariable|structureToCapnProtoSchema|structureToProtobufSchema|formatQuery.*|parseTimeDelta|showCertificate|connectionId|connection_id|getSubcolumn)$/i

// The membership tests: `x IN db.table` reads a whole table by name, past the table check.
const membershipFunctions = new Set(['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'notNullIn', 'globalNullIn', 'globalNotNullIn'])

interface AstNode {
  depth: number
  kind: string
  name: string
}

function parseAst(text: string): AstNode[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((raw) => {
      const line = raw.replace(/^"|"$/g, '')
      const depth = line.length - line.trimStart().length
      const [kind = '', name = ''] = line.trim().replace(/ \(children \d+\)$/, '').replace(/ \(alias .*\)$/, '').split(' ', 2)
      return { depth, kind, name }
    })
}

/** The nodes directly below node `i` (one more space of indentation, until its subtree ends). */
function childrenOf(nodes: readonly AstNode[], i: number): number[] {
  const out: number[] = []
  for (let j = i + 1; j < nodes.length && nodes[j]!.depth > nodes[i]!.depth; j++) if (nodes[j]!.depth === nodes[i]!.depth + 1) out.push(j)
  return out
}

const explainPrefix = 'EXPLAIN AST '

/** A parse error's position in the analyst's own text, not in `EXPLAIN AST <sql>` (12 further on). */
export function positionInAnalystSql(message: string): string {
  return message
    .replace(/\bposition (\d+)/g, (_, n: string) => `position ${Number(n) - explainPrefix.length}`)
    .replace(/\(line 1, col (\d+)\)/g, (_, n: string) => `(line 1, col ${Number(n) - explainPrefix.length})`)
}

/** Throws SqlRefusedError with the reason unless `sql` is one plain SELECT over the analyst tables. */
export async function checkAnalystSql(client: ClickHouseClient, sql: string, params: Record<string, unknown> = {}): Promise<void> {
  if (sql.includes(';')) throw new SqlRefusedError('one statement only, without `;`')
  let text: string
  try {
    const result = await client.query({ query: `${explainPrefix}${sql}`, format: 'TabSeparatedRaw', query_params: params, clickhouse_settings: internalQueryLimits(5) })
    text = await result.text()
  } catch (error) {
    throw new SqlRefusedError(`ClickHouse cannot parse the query: ${positionInAnalystSql((error as Error).message.split('\n')[0]!).slice(0, 300)}`)
  }
  const nodes = parseAst(text)
  if (nodes[0]?.kind !== 'SelectWithUnionQuery') throw new SqlRefusedError('only SELECT queries are allowed')
  // The root's children: the union's list, then the FORMAT this check itself added.
  const rootChildren = nodes.filter((n) => n.depth === 1)
  const format = rootChildren[1]
  if (rootChildren.length !== 2 || rootChildren[0]!.kind !== 'ExpressionList' || format?.kind !== 'Identifier' || format.name !== 'TabSeparatedRaw') {
    throw new SqlRefusedError('FORMAT, SETTINGS and INTO OUTFILE are not allowed')
  }
  for (const [i, node] of nodes.entries()) {
    if (node.kind === 'Set' || node.kind === 'SetQuery') throw new SqlRefusedError('SETTINGS are not allowed')
    if (node.kind === 'Function' && forbiddenFunction.test(node.name)) throw new SqlRefusedError(`the function ${node.name} is not allowed`)
    if (node.kind === 'Function' && membershipFunctions.has(node.name)) {
      const [list] = childrenOf(nodes, i)
      const right = list === undefined ? undefined : nodes[childrenOf(nodes, list)[1] ?? -1]
      if (right?.kind === 'Identifier' || right?.kind === 'TableIdentifier') throw new SqlRefusedError(`IN a table by name (${right.name}) is not allowed: use IN (SELECT ... FROM one of the analyst tables)`)
    }
    if (node.kind !== 'TableExpression') continue
    const child = nodes[i + 1]
    if (!child || child.depth !== node.depth + 1) throw new SqlRefusedError('unexpected table expression')
    if (child.kind === 'Subquery') continue
    if (child.kind === 'Function') throw new SqlRefusedError(`table functions are not allowed (${child.name})`)
    if (child.kind !== 'TableIdentifier' || !(analystTables as readonly string[]).includes(child.name)) {
      throw new SqlRefusedError(`the query may read only ${analystTables.join(', ')} (unqualified); it reads ${child.name || child.kind}`)
    }
  }
}
