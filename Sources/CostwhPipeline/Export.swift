import CostwhLoad
import CostwhModel
import CostwhParquet
import Foundation
import Logging

/// `costwh export DIR`: the warehouse's current partitions as a Parquet lake (LakeLayout).
package struct ExportOptions: Sendable {
    package var databasePath: String
    package var directory: String
    /// Only these scopes; all when empty.
    package var scopes: [Scope]
    package var periods: PeriodRange
    package var metrics: [Metric]
    /// The FOCUS view (`focus_costs`) instead of cost details.
    package var focus: Bool
    package var compression: ParquetCompression

    package init(
        databasePath: String, directory: String, scopes: [Scope] = [], periods: PeriodRange = .all,
        metrics: [Metric] = [.actualCost, .amortizedCost], focus: Bool = false, compression: ParquetCompression = .zstd
    ) {
        self.databasePath = databasePath
        self.directory = directory
        self.scopes = scopes
        self.periods = periods
        self.metrics = metrics
        self.focus = focus
        self.compression = compression
    }
}

package struct ExportReport: Sendable {
    /// The partitions written, as their folders.
    package var written: [String] = []
    package var unchanged = 0
    package var removed: [String] = []
    package var rows = 0
    package var bytes = 0
    package var seconds = 0.0
}

/// Incremental and atomic: a partition whose load is the one the manifest names, with its
/// file as the manifest sized it, is left alone; a reloaded one is written to a temporary
/// file and renamed over its old file (one file per partition, so a reader sees the old or
/// the new, never a mix); one no longer in the selection is dropped from the manifest and
/// then deleted. The manifest is rewritten after each partition, and never names a file that
/// is not there. A killed export leaves temporary files the next one removes.
package enum Export {
    package static func run(_ options: ExportOptions, logger: Logger) throws(PipelineError) -> ExportReport {
        let store = try DatabaseLocation.openForReading(options.databasePath)
        return try run(options, store: store, logger: logger)
    }

    struct Wanted {
        let key: String
        let folder: String
        let scope: String
        let period: String
        let metric: String?
        let loadIds: [Int64]
        let hashes: [String]
    }

    package static func run(_ options: ExportOptions, store: any StoreReading, logger: Logger) throws(PipelineError)
        -> ExportReport
    {
        let started = Date()
        let root = URL(fileURLWithPath: options.directory).standardizedFileURL
        try LakeFiles.makeFolder(root.path)
        let lock = try LakeFiles.lock(root.path)
        defer { close(lock) }
        for leftover in LakeFiles.leftovers(in: root.path) {
            logger.info("removing what an interrupted export left", metadata: ["file": "\(leftover)"])
            unlink(leftover)
        }
        let dataset = options.focus ? LakeLayout.focus : LakeLayout.costDetails
        let wanted = try partitions(store, options)
        let old = LakeManifest.read(root)
        var entries: [String: LakeManifest.Partition] = [:]
        for entry in old?.partitions ?? [] { entries[key(entry)] = entry }
        var report = ExportReport()
        let sameCodec = old?.compression == options.compression.rawValue

        for want in wanted {
            if let entry = entries[want.key], sameCodec, entry.loadIds == want.loadIds,
                entry.files.allSatisfy({ size(root.appendingPathComponent($0.path).path) == $0.bytes })
            {
                report.unchanged += 1
                continue
            }
            let folder = root.appendingPathComponent(want.folder).path
            try LakeFiles.makeFolder(folder)
            let target = (folder as NSString).appendingPathComponent(LakeLayout.fileName)
            let temporary = (folder as NSString).appendingPathComponent(".\(LakeLayout.fileName).\(getpid()).tmp")
            unlink(temporary)
            var filter = [("Scope", want.scope), ("BillingPeriod", want.period)]
            if let metric = want.metric { filter.append(("Metric", metric)) }
            let export = PartitionExport(
                view: dataset, filter: filter.map { (column: $0.0, value: $0.1) }, compression: options.compression)
            let written: PartitionExport.Written
            do {
                written = try export.write(
                    store, to: temporary,
                    metadata: [
                        ("costwh.scope", want.scope), ("costwh.billingPeriod", want.period),
                        ("costwh.metric", want.metric ?? "both"),
                        ("costwh.loadIds", want.loadIds.map(String.init).joined(separator: ",")),
                    ])
            } catch {
                unlink(temporary)
                throw error
            }
            PhaseProbe.mark("export:written")
            try LakeFiles.rename(temporary, over: target)
            PhaseProbe.mark("export:renamed")
            let path = (want.folder as NSString).appendingPathComponent(LakeLayout.fileName)
            entries[want.key] = LakeManifest.Partition(
                dataset: dataset, scope: want.scope, billingPeriod: want.period, metric: want.metric,
                loadIds: want.loadIds, contentHashes: want.hashes, rows: written.rows, cost: written.cost,
                files: [.init(path: path, bytes: written.bytes)], exportedAt: Ledger.format(CostwhClock.now()))
            try manifest(entries, options, root)
            report.written.append(want.folder)
            report.rows += written.rows
            report.bytes += written.bytes
            logger.info(
                "exported a partition",
                metadata: [
                    "folder": "\(want.folder)", "rows": "\(written.rows)", "bytes": "\(written.bytes)", "read": "\(written.read)",
                    "joined": "\(written.joined.joined(separator: " "))",
                ])
        }
        // Partitions of this dataset no longer in the selection: out of the manifest first,
        // then off the disk.
        let keep = Set(wanted.map(\.key))
        let gone = entries.values.filter { $0.dataset == dataset && !keep.contains(key($0)) }
        for entry in gone { entries[key(entry)] = nil }
        if !gone.isEmpty || old == nil || !sameCodec || !report.written.isEmpty {
            try manifest(entries, options, root)
        }
        for entry in gone {
            for file in entry.files { LakeFiles.remove(root.appendingPathComponent(file.path).path, upTo: root.path) }
            report.removed.append((entry.files.first?.path as NSString?)?.deletingLastPathComponent ?? entry.scope)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    static func key(_ entry: LakeManifest.Partition) -> String {
        [entry.dataset, entry.scope, entry.billingPeriod, entry.metric ?? ""].joined(separator: "\u{1F}")
    }

    static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    static func manifest(_ entries: [String: LakeManifest.Partition], _ options: ExportOptions, _ root: URL)
        throws(PipelineError)
    {
        let sorted = entries.values.sorted {
            ($0.dataset, $0.scope, $0.billingPeriod, $0.metric ?? "") < ($1.dataset, $1.scope, $1.billingPeriod, $1.metric ?? "")
        }
        try LakeManifest(
            compression: options.compression.rawValue, exportedAt: Ledger.format(CostwhClock.now()), partitions: sorted
        ).write(root)
    }

    /// The current partitions of the selection, with the loads that hold them.
    static func partitions(_ store: any StoreReading, _ options: ExportOptions) throws(PipelineError) -> [Wanted] {
        let table: ResultTable
        do {
            table = try store.reading { reader in
                try reader.read(
                    """
                    SELECT p.Scope, p.BillingPeriod, p.Metric, p.LoadId, l.ContentHash
                    FROM partitions p JOIN loads l ON l.LoadId = p.LoadId
                    ORDER BY p.Scope, p.BillingPeriod, p.Metric
                    """, [:])
            }
        } catch {
            throw .export("cannot list the warehouse's partitions: \(error)")
        }
        let scopes = Set(options.scopes.map(\.id))
        let metrics = Set(options.metrics.map(\.rawValue))
        var rows: [(scope: String, period: String, metric: String, load: Int64, hash: String)] = []
        for i in table.rows.indices {
            guard let scope = table.value(i, "Scope").string, let period = table.value(i, "BillingPeriod").string,
                let metric = table.value(i, "Metric").string, let load = table.value(i, "LoadId").int
            else { continue }
            if !scopes.isEmpty && !scopes.contains(scope) { continue }
            if period < options.periods.lowerBound || period > options.periods.upperBound { continue }
            rows.append((scope, period, metric, Int64(load), table.value(i, "ContentHash").string ?? ""))
        }
        if options.focus {
            // One FOCUS partition per scope and month, from whichever metrics are loaded.
            var grouped: [String: [(scope: String, period: String, metric: String, load: Int64, hash: String)]] = [:]
            for row in rows { grouped[row.scope + "\u{1F}" + row.period, default: []].append(row) }
            return grouped.keys.sorted().map { key in
                let group = grouped[key]!.sorted { $0.metric < $1.metric }
                let (scope, period) = (group[0].scope, group[0].period)
                return Wanted(
                    key: [LakeLayout.focus, scope, period, ""].joined(separator: "\u{1F}"),
                    folder: LakeLayout.focusFolder(scope: scope, period: period), scope: scope, period: period,
                    metric: nil, loadIds: group.map(\.load), hashes: group.map(\.hash))
            }
        }
        return rows.filter { metrics.contains($0.metric) }.map { row in
            Wanted(
                key: [LakeLayout.costDetails, row.scope, row.period, row.metric].joined(separator: "\u{1F}"),
                folder: LakeLayout.folder(scope: row.scope, period: row.period, metric: row.metric), scope: row.scope,
                period: row.period, metric: row.metric, loadIds: [row.load], hashes: [row.hash])
        }
    }
}
