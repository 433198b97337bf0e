// Regression: the SQL endpoint reported a syntax error 12 characters too far on (the length of
// the `EXPLAIN AST ` its check puts in front): `SELECT (1` failed "at position 20".
import { describe, expect, it } from 'vitest'
import { positionInAnalystSql } from '../../api/sql-guard.ts'

describe('a parse error names the position in the analyst\'s own query', () => {
  it('on the first line: position and column move back by the prefix', () => {
    // As ClickHouse (chdb 3.4) answered `EXPLAIN AST SELECT (1`.
    expect(positionInAnalystSql('Syntax error: failed at position 20 (() (line 1, col 20): (1 ')).toBe('Syntax error: failed at position 8 (() (line 1, col 8): (1 ')
  })

  it('on a later line: the position moves, the column stays', () => {
    // `SELECT 1\nFROM rtp_samples WHERE ((`
    expect(positionInAnalystSql('Syntax error: failed at position 45 (() (line 2, col 24): (( ')).toBe('Syntax error: failed at position 33 (() (line 2, col 24): (( ')
  })

  it('leaves other messages alone', () => {
    expect(positionInAnalystSql('Substitution `x` is not set. ')).toBe('Substitution `x` is not set. ')
  })
})
