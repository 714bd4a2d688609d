import CostwhLoad
import CostwhModel
import Foundation

/// What a warehouse holds, read from its ledger in one snapshot: the partitions with their
/// last load and its age, the datasets, loads that failed since, and recent restatements of
/// closed months. What the MCP server's `describe_warehouse` answers first.
package struct WarehouseOverview: Sendable {
    package struct Partition: Sendable {
        package let scope: String
        package let billingPeriod: String
        package let metric: String
        package let rows: Int64
        package let costTotal: Double
        package let currencies: [String]
        package let loadId: Int64
        package let source: String
        package let loadedAt: String?
        package let ageHours: Double?
    }

    package struct DatasetPartition: Sendable {
        package let scope: String
        package let billingPeriod: String
        package let dataset: String
        package let rows: Int64
        package let loadedAt: String?
    }

    package struct Failure: Sendable {
        package let scope: String
        package let billingPeriod: String
        package let metric: String
        package let error: String
        package let at: String?
    }

    package let partitions: [Partition]
    package let datasets: [DatasetPartition]
    /// Loads that failed after the partition's current load: the data shown is older.
    package let failures: [Failure]
    /// Changes to closed months in the last `restatementDays` days.
    package let restatements: [PartitionChange]
    package static let restatementDays = 30

    package static func read(_ store: any StoreReading, now: Date = CostwhClock.now()) throws -> WarehouseOverview {
        try store.reading { reader in
            let table = try reader.read(
                """
                SELECT p.Scope, p.BillingPeriod, p.Metric, p.RowCount, p.CostTotal, p.LoadId, l.Source,
                       l.FinishedAt, l.Currencies
                FROM partitions p JOIN loads l ON l.LoadId = p.LoadId
                ORDER BY p.Scope, p.BillingPeriod, p.Metric
                """, [:])
            let partitions = table.rows.indices.map { i in
                let finished = table.value(i, "FinishedAt").string
                return Partition(
                    scope: table.value(i, "Scope").string ?? "", billingPeriod: table.value(i, "BillingPeriod").string ?? "",
                    metric: table.value(i, "Metric").string ?? "", rows: Int64(table.value(i, "RowCount").int ?? 0),
                    costTotal: table.value(i, "CostTotal").double ?? 0,
                    currencies: (table.value(i, "Currencies").string ?? "").split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }.filter { !$0.isEmpty },
                    loadId: Int64(table.value(i, "LoadId").int ?? 0), source: table.value(i, "Source").string ?? "",
                    loadedAt: finished,
                    ageHours: finished.flatMap(CostwhClock.parse).map { (now.timeIntervalSince($0) / 360).rounded() / 10 })
            }
            let sets = try reader.read(
                """
                SELECT d.Scope, d.BillingPeriod, d.Dataset, d.RowCount, l.FinishedAt
                FROM dataset_partitions d JOIN loads l ON l.LoadId = d.LoadId
                ORDER BY d.Dataset, d.Scope, d.BillingPeriod
                """, [:])
            let datasets = sets.rows.indices.map { i in
                DatasetPartition(
                    scope: sets.value(i, "Scope").string ?? "", billingPeriod: sets.value(i, "BillingPeriod").string ?? "",
                    dataset: sets.value(i, "Dataset").string ?? "", rows: Int64(sets.value(i, "RowCount").int ?? 0),
                    loadedAt: sets.value(i, "FinishedAt").string)
            }
            let failed = try reader.read(
                """
                SELECT l.Scope, l.BillingPeriod, l.Metric, l.Error, l.FinishedAt
                FROM loads l JOIN partitions p
                  ON p.Scope = l.Scope AND p.BillingPeriod = l.BillingPeriod AND p.Metric = l.Metric
                WHERE l.Status = 'failed' AND l.LoadId > p.LoadId
                ORDER BY l.LoadId DESC
                """, [:])
            let failures = failed.rows.indices.map { i in
                Failure(
                    scope: failed.value(i, "Scope").string ?? "", billingPeriod: failed.value(i, "BillingPeriod").string ?? "",
                    metric: failed.value(i, "Metric").string ?? "", error: failed.value(i, "Error").string ?? "",
                    at: failed.value(i, "FinishedAt").string)
            }
            let since = Ledger.format(now.addingTimeInterval(-Double(restatementDays) * 86_400))
            let restatements = try PartitionChanges.list(reader, ChangeFilter(since: since, closedOnly: true))
            return WarehouseOverview(
                partitions: partitions, datasets: datasets, failures: failures, restatements: restatements)
        }
    }
}
