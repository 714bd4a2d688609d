import CostwhModel
import Foundation

/// `DIR/_manifest.json`: what the lake holds, so that a reader can check it and the next
/// export can tell what changed. Written to a temporary name and renamed into place, after
/// the files it names.
package struct LakeManifest: Codable, Sendable, Equatable {
    package struct File: Codable, Sendable, Equatable {
        package var path: String
        package var bytes: Int
    }

    package struct Partition: Codable, Sendable, Equatable {
        /// `cost_details` or `focus_costs`.
        package var dataset: String
        package var scope: String
        package var billingPeriod: String
        /// `ActualCost` or `AmortizedCost`; nil for FOCUS partitions, which hold both.
        package var metric: String?
        /// The warehouse loads the partition was written from (one for cost details; the
        /// actual and amortized loads for FOCUS).
        package var loadIds: [Int64]
        package var contentHashes: [String]
        package var rows: Int
        /// CostInBillingCurrency (BilledCost for FOCUS) per billing currency.
        package var cost: [String: Double]
        package var files: [File]
        package var exportedAt: String
    }

    package var format = "costwh-lake"
    package var version = 1
    package var costwh = CostwhVersion.current
    package var layout = [
        LakeLayout.costDetails: "cost_details/Scope={scope, percent-encoded}/BillingPeriod={YYYY-MM}/Metric={ActualCost|AmortizedCost}/data.parquet",
        LakeLayout.focus: "focus_costs/Scope={scope, percent-encoded}/BillingPeriod={YYYY-MM}/data.parquet",
    ]
    package var compression: String
    package var exportedAt: String
    package var partitions: [Partition]

    package init(compression: String, exportedAt: String, partitions: [Partition]) {
        self.compression = compression
        self.exportedAt = exportedAt
        self.partitions = partitions
    }

    /// The manifest of a lake, or nil when there is none (or it is not one of ours).
    package static func read(_ dir: URL) -> LakeManifest? {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent(LakeLayout.manifest)) else { return nil }
        return try? JSONDecoder().decode(LakeManifest.self, from: data)
    }

    /// Writes the manifest atomically: a temporary file, synced, renamed over the old one.
    package func write(_ dir: URL) throws(PipelineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let target = dir.appendingPathComponent(LakeLayout.manifest).path
        let temporary = dir.appendingPathComponent(".\(LakeLayout.manifest).\(getpid()).tmp").path
        do {
            let data = try encoder.encode(self)
            try LakeFiles.writeSynced(data, to: temporary)
            try LakeFiles.rename(temporary, over: target)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw .export("cannot write the lake's manifest \(target): \(error)")
        }
    }
}
