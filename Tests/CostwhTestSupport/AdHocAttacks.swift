import CostwhLoad
import Foundation

/// The statements a read-only SQL endpoint must refuse or stop, for both stores: what an
/// adversarial model (or a prompt injected into cost data) would try.
package enum AdHocAttack: Sendable {
    /// Refused by the engine before it changed anything.
    case refused
    /// Stopped at the time limit.
    case timedOut
    /// Answered, but cut at a limit.
    case cut
    /// Held to a limit: cut, or stopped at the time limit, whichever the plan reaches first.
    case bounded
    /// Not run: refused, or an error from the engine (a function this build does not have,
    /// a command that cannot run in a transaction).
    case notRun

    package static func matches(_ expected: AdHocAttack, _ outcome: Result<AdHocAnswer, AdHocError>) -> Bool {
        switch (expected, outcome) {
        case (.refused, .failure(.refused)): return true
        case (.timedOut, .failure(.timedOut)): return true
        case (.cut, .success(let answer)): return answer.cut != nil
        case (.bounded, .success(let answer)): return answer.cut != nil
        case (.bounded, .failure(.timedOut)): return true
        case (.notRun, .failure(.refused)), (.notRun, .failure(.failed)): return true
        default: return false
        }
    }

    /// The statements, in the store's dialect, with what must happen to each.
    package static func list(postgres: Bool, scratch: String) -> [(sql: String, expected: AdHocAttack)] {
        var list: [(String, AdHocAttack)] = [
            ("DELETE FROM loads", .refused),
            ("UPDATE partitions SET RowCount = 0", .refused),
            ("INSERT INTO settings (Name, Value) VALUES ('x', 'y')", .refused),
            ("CREATE TABLE stolen (x INTEGER)", .refused),
            ("DROP VIEW cost_details", .refused),
            ("SELECT 1; DELETE FROM loads", .refused),
            ("SELECT 1; SELECT 2", .refused),
            // PostgreSQL runs DML inside a CTE; SQLite does not parse it, but takes DML after one.
            ("WITH gone AS (DELETE FROM loads RETURNING LoadId) SELECT * FROM gone", postgres ? .refused : .notRun),
            ("WITH doomed AS (SELECT LoadId FROM loads) DELETE FROM loads WHERE LoadId IN (SELECT LoadId FROM doomed)", .refused),
            ("SELECT * FROM cost_details", .cut),
            ("SELECT * FROM cost_details CROSS JOIN cost_details AS again", .bounded),
        ]
        if postgres {
            list += [
                (
                    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r",
                    .timedOut
                ),
                ("SELECT pg_sleep(60)", .timedOut),
                ("CREATE TEMP TABLE t AS SELECT 1", .refused),
                ("SELECT set_config('default_transaction_read_only', 'off', false); DELETE FROM loads", .refused),
                ("VACUUM", .notRun),
                ("LOCK TABLE loads IN ACCESS EXCLUSIVE MODE", .refused),
            ]
        } else {
            list += [
                (
                    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r",
                    .timedOut
                ),
                ("ATTACH DATABASE '\(scratch)' AS stolen", .refused),
                ("VACUUM INTO '\(scratch)'", .refused),
                ("VACUUM", .refused),
                ("PRAGMA journal_mode = DELETE", .refused),
                ("PRAGMA query_only = 0", .refused),
                ("SELECT load_extension('/tmp/evil')", .refused),
                ("SELECT writefile('\(scratch)', 'x')", .notRun),
                ("BEGIN IMMEDIATE", .refused),
                ("CREATE TEMP TABLE t AS SELECT 1", .refused),
                ("REINDEX", .refused),
                ("ANALYZE", .refused),
            ]
        }
        return list
    }
}
