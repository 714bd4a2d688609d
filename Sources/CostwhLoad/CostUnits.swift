/// Costs in millionths of the billing currency, as whole numbers, for the load history.
///
/// Each row's cost is rounded once to an integer number of millionths and the sums are
/// integer sums, so they are exact and the same in whatever order the rows arrive: an
/// identical reload gives identical totals, and the groups of any breakdown add up exactly
/// to the partition's total. 2^63 millionths is 9.2 × 10^12 units of any currency.
package enum CostUnits {
    package static let perUnit = 1_000_000.0

    /// Rounds half away from zero by adding ±0.5 and truncating, which is exactly what
    /// the SQL expressions below do, so a sum built by SQL equals one built here.
    @inline(__always)
    package static func of(_ cost: Double) -> Int64 {
        // A parsed cost is finite; one beyond ±9 × 10^12 is clamped rather than trapping.
        let scaled = min(max(cost * perUnit, -9.0e18), 9.0e18)
        return Int64(scaled + (scaled < 0 ? -0.5 : 0.5))
    }

    /// The same rounding in SQLite (CAST truncates toward zero).
    package static func sqliteExpression(_ column: String) -> String {
        "CAST(\(column) * 1000000.0 + (CASE WHEN \(column) < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER)"
    }

    /// The same rounding in PostgreSQL (a bigint cast would round, so truncate first).
    package static func postgresExpression(_ column: String) -> String {
        "trunc(\(column) * 1000000.0::float8 + (CASE WHEN \(column) < 0 THEN -0.5 ELSE 0.5 END))::bigint"
    }
}
