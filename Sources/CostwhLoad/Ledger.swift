import CostwhModel
import CostwhTransform
import Foundation

/// The ledger (`loads`, `partitions`) as both stores write it: the statements, with `:name`
/// parameters, and the values they are given. Each engine only runs them (`SQLiteLedger`,
/// `PostgresStore+Ledger`), so the two ledgers cannot drift apart.
///
/// Nullable numbers are wrapped in CAST: PostgreSQL cannot infer the type of a NULL
/// parameter and binds it as text, which a BIGINT or DOUBLE PRECISION column refuses.
package enum Ledger {
    /// A ledger timestamp: `date` (a system-clock reading) on costwh's clock (`CostwhClock`, which
    /// `COSTWH_NOW` moves), so the ledger and the nightly job's "today" agree.
    package static func now(_ date: Date = Date()) -> String {
        format(date.addingTimeInterval(CostwhClock.offset))
    }

    /// A date as the ledger spells it, as it is (no clock applied).
    package static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    package static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    package static let host: String = ProcessInfo.processInfo.hostName

    package static func warningsJSON(_ warnings: Warnings) -> String? {
        guard !warnings.counts.isEmpty else { return nil }
        guard let data = try? JSONSerialization.data(withJSONObject: warnings.counts, options: [.sortedKeys]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Opening and closing a load's row

    /// Records a load as running; returns its LoadId.
    package static let beginSQL = """
        INSERT INTO loads (Scope, BillingPeriod, Metric, Source, SourceDetail, Status, StartedAt, ProcessId, Host, Dataset)
        VALUES (:scope, :period, :metric, :source, :detail, 'running', :started, :pid, :host, :dataset)
        RETURNING LoadId
        """

    package static func beginParameters(_ request: LoadRequest, at date: Date) -> [String: StoreValue] {
        [
            "scope": .text(request.scope.id), "period": .text(request.period.description),
            "metric": StoreValue(request.ledgerMetric), "source": .text(request.source),
            "detail": StoreValue(request.sourceDetail), "started": .text(now(date)),
            "pid": .integer(Int64(getpid())), "host": .text(host), "dataset": .text(request.dataset.rawValue),
        ]
    }

    /// The final state of a load's row.
    package static let finishSQL = """
        UPDATE loads SET Status = :status, ContentHash = :hash, RowsRead = :read, RowsLoaded = :loaded,
            RowsRejected = :rejected, CostTotal = CAST(:cost AS DOUBLE PRECISION), Currencies = :currencies,
            Warnings = :warnings, Error = :error, FinishedAt = :finished,
            FirstRowId = CAST(:first AS BIGINT), LastRowId = CAST(:last AS BIGINT), Dialect = :dialect
        WHERE LoadId = :load
        """

    package static func finishParameters(_ summary: LoadSummary) -> [String: StoreValue] {
        let succeeded = summary.status == .succeeded
        return [
            "status": .text(summary.status.rawValue), "hash": StoreValue(summary.contentHash),
            "read": .integer(Int64(summary.rowsRead)),
            "loaded": .integer(Int64(summary.status == .failed ? 0 : summary.rowsLoaded)),
            "rejected": .integer(Int64(summary.rowsRejected)),
            "cost": summary.status == .failed || summary.status == .unchanged ? .null : .real(summary.costTotal),
            "currencies": StoreValue(summary.currencies.isEmpty ? nil : summary.currencies.joined(separator: ",")),
            "warnings": StoreValue(warningsJSON(summary.warnings)), "error": StoreValue(summary.error),
            "finished": .text(now()),
            "first": succeeded ? StoreValue(summary.firstRowId) : .null,
            "last": succeeded ? StoreValue(summary.lastRowId) : .null,
            "dialect": StoreValue(summary.dialects.isEmpty ? nil : summary.dialects.joined(separator: "; ")),
            "load": .integer(summary.loadId),
        ]
    }

    /// A load closed as soon as it is recorded: unchanged, or failed before any data arrived.
    package static let closedSQL = """
        INSERT INTO loads (Scope, BillingPeriod, Metric, Source, SourceDetail, ContentHash, RowsRead, RowsLoaded,
                           RowsRejected, Warnings, Status, Error, StartedAt, FinishedAt, ProcessId, Host, Dataset)
        VALUES (:scope, :period, :metric, :source, :detail, :hash, CAST(:read AS BIGINT), CAST(:loaded AS BIGINT),
                CAST(:rejected AS BIGINT), :warnings, :status, :error, :started, :finished, :pid, :host, :dataset)
        RETURNING LoadId
        """

    package static func closedParameters(
        _ request: LoadRequest, status: LoadSummary.Status, contentHash: String?, error: String?, started: Date
    ) -> [String: StoreValue] {
        var values = beginParameters(request, at: started)
        let counts: StoreValue = status == .unchanged ? .integer(0) : .null
        values["hash"] = StoreValue(contentHash)
        values["read"] = counts
        values["loaded"] = counts
        values["rejected"] = counts
        values["warnings"] = StoreValue(warningsJSON(request.extraWarnings))
        values["status"] = .text(status.rawValue)
        values["error"] = StoreValue(error)
        values["finished"] = .text(now())
        return values
    }

    // MARK: Partitions

    /// The load a partition points at now; PostgreSQL locks the row until the swap commits.
    package static func currentLoadSQL(_ dialect: SQLDialect) -> String {
        "SELECT LoadId FROM partitions WHERE Scope = :scope AND BillingPeriod = :period AND Metric = :metric"
            + (dialect == .postgres ? " FOR UPDATE" : "")
    }

    /// Points a partition at a load.
    package static let pointSQL = """
        INSERT INTO partitions (Scope, BillingPeriod, Metric, LoadId, FirstRowId, LastRowId, RowCount, CostTotal, UpdatedAt)
        VALUES (:scope, :period, :metric, :load, CAST(:first AS BIGINT), CAST(:last AS BIGINT), :rows, :cost, :now)
        ON CONFLICT (Scope, BillingPeriod, Metric) DO UPDATE SET
            LoadId = excluded.LoadId, FirstRowId = excluded.FirstRowId, LastRowId = excluded.LastRowId,
            RowCount = excluded.RowCount, CostTotal = excluded.CostTotal, UpdatedAt = excluded.UpdatedAt
        """

    package static func partitionKey(_ summary: LoadSummary) -> [String: StoreValue] {
        [
            "scope": .text(summary.scope.id), "period": .text(summary.period.description),
            "metric": .text(summary.metric.rawValue),
        ]
    }

    /// `first` and `last` are the load's rowid range where the engine keeps one (SQLite), else NULL.
    package static func pointParameters(
        _ summary: LoadSummary, first: StoreValue, last: StoreValue
    ) -> [String: StoreValue] {
        var values = partitionKey(summary)
        values["load"] = .integer(summary.loadId)
        values["first"] = first
        values["last"] = last
        values["rows"] = .integer(Int64(summary.rowsLoaded))
        values["cost"] = .real(summary.costTotal)
        values["now"] = .text(now())
        return values
    }

    // MARK: Reading it back

    /// The last load of a cost-details partition that left it as it is now.
    package static let lastGoodCostLoadSQL = """
        SELECT FinishedAt, ContentHash, SourceDetail FROM loads
        WHERE Scope = :scope AND BillingPeriod = :period AND Metric = :metric AND Dataset = 'cost-details'
            AND Status IN ('succeeded', 'unchanged')
        ORDER BY LoadId DESC LIMIT 1
        """

    /// The last load of a dataset partition that left it as it is now.
    package static let lastGoodDatasetLoadSQL = """
        SELECT FinishedAt, ContentHash, SourceDetail FROM loads
        WHERE Scope = :scope AND BillingPeriod = :period AND Dataset = :dataset AND Status IN ('succeeded', 'unchanged')
        ORDER BY LoadId DESC LIMIT 1
        """

    /// A `lastGood…SQL` row as the loader uses it: when, the content hash, the report's ETag.
    package static func lastGood(_ row: [StoreValue]?) -> (finishedAt: Date, contentHash: String?, etag: String?)? {
        guard let row, row.count == 3 else { return nil }
        let finished = row[0].string.flatMap(parse) ?? .distantPast
        let detail = row[2].string.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return (finished, row[1].string, detail?["etag"] as? String)
    }

    // MARK: Loads that never finished

    package static let runningSQL = "SELECT LoadId, ProcessId, Host FROM loads WHERE Status = 'running'"

    /// Closes a load whose process ended before it did.
    package static let abandonSQL = """
        UPDATE loads SET Status = 'abandoned', FinishedAt = :now,
            Error = 'the process running this load ended before it finished; the partition kept its previous data'
        WHERE LoadId = :load AND Status = 'running'
        """

    /// Marks a replaced load's rows as gone.
    package static let purgedSQL = "UPDATE loads SET PurgedAt = :now, PurgeNote = NULL WHERE LoadId = :load"
}
