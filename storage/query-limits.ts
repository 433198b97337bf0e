// chdb keeps every query's settings for the rest of its session (DESIGN.md section 9), so a
// limit set for one analyst's SQL would also bind the processor's next insert. Every query
// callmask itself runs therefore states its own limits in full, and the SQL endpoint its
// tighter ones. With a ClickHouse server the settings apply to their own query only.
import type { ClickHouseSettings } from '@clickhouse/client'

/** callmask's own queries: no limits but the time it allows (0: none). */
export function internalQueryLimits(maxExecutionTimeS = 0): ClickHouseSettings {
  return {
    max_execution_time: maxExecutionTimeS,
    max_memory_usage: '0',
    max_rows_in_set: '0',
    max_bytes_in_set: '0',
    max_rows_to_read: '0',
    max_result_bytes: '0',
    function_range_max_elements_in_block: '500000000',
  }
}

/** One analyst SELECT of the SQL endpoint. */
export function analystSqlLimits(maxExecutionTimeS: number): ClickHouseSettings {
  return {
    max_execution_time: maxExecutionTimeS,
    max_memory_usage: '1000000000',
    max_rows_in_set: '1000000',
    max_bytes_in_set: '100000000',
    max_rows_to_read: '200000000',
    max_result_bytes: '100000000',
    function_range_max_elements_in_block: '10000000',
  }
}
