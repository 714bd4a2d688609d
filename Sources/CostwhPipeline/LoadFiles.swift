import CostwhExtract
import CostwhLoad
import CostwhTransform
import CostwhModel
import Foundation
import Logging

/// `costwh load`: one or more local files become one partition.
public struct LoadFilesOptions {
    public enum Format: String, Sendable {
        /// Cost-details CSV, plain or gzip.
        case csv
        /// Saved Consumption usageDetails (or EA Reporting v2) JSON pages.
        case usageDetailsJSON = "usage-details-json"
    }

    public var databasePath: String
    public var files: [String]
    public var scope: String?
    public var period: String?
    public var metric: String?
    public var format: Format = .csv
    /// A Cost Management Exports folder; its manifest names scope, metric and period.
    public var exportsFolder: String?
    /// Percent of rows that may be rejected before the load fails.
    public var maxRejectedPercent: Double
    public var progress: ((LoadProgress) -> Void)?
    public var isCancelled: () -> Bool

    public init(
        databasePath: String, files: [String], scope: String?, period: String?, metric: String?,
        maxRejectedPercent: Double = 1, progress: ((LoadProgress) -> Void)? = nil, isCancelled: @escaping () -> Bool = { false }
    ) {
        self.databasePath = databasePath
        self.files = files
        self.scope = scope
        self.period = period
        self.metric = metric
        self.maxRejectedPercent = maxRejectedPercent
        self.progress = progress
        self.isCancelled = isCancelled
    }
}

public enum LoadFiles {
    public static func run(_ options: LoadFilesOptions, logger: Logger) throws(PipelineError) -> LoadSummary {
        guard (0...100).contains(options.maxRejectedPercent) else {
            throw .usage("--max-rejected must be a percentage from 0 to 100")
        }
        var paths = options.files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        var detail: [String: Any] = [:]
        var source = "file"
        var manifest: ExportsFolder?
        if let folder = options.exportsFolder {
            do { manifest = try ExportsFolder(path: folder) } catch { throw .usage(error.description) }
            paths = manifest!.files
            source = "exports"
            detail["manifest"] = URL(fileURLWithPath: folder).standardizedFileURL.path + "/manifest.json"
            if let run = manifest!.runId { detail["runId"] = run }
            if let name = manifest!.exportName { detail["exportName"] = name }
        }
        guard !paths.isEmpty else { throw .usage("no files given: name one or more cost-details CSV files, or --exports FOLDER") }
        func pick<T>(_ given: String?, _ fromManifest: T?, _ parse: (String) throws(PipelineError) -> T, _ what: String) throws(PipelineError) -> T {
            if let given { return try parse(given) }
            if let fromManifest { return fromManifest }
            throw .usage("--\(what) is required")
        }
        let scope = try pick(options.scope, manifest?.scope, { (t) throws(PipelineError) in try Scope.parse(t) }, "scope")
        let period = try pick(options.period, manifest?.period, { (t) throws(PipelineError) in try BillingPeriod.parse(t) }, "period")
        let metric = try pick(options.metric, manifest?.metric, { (t) throws(PipelineError) in try Metric.parse(t) }, "metric")
        detail["files"] = paths
        var parts = paths.map(LoadPart.file)
        let folder: PrivateFolder?
        if options.format == .usageDetailsJSON {
            source = "usage-details-json"
            do {
                let private_ = try PrivateFolder()
                folder = private_
                let (csv, fd) = try private_.createFile(named: "usage-details.csv")
                close(fd)
                try UsageDetailsConverter.convert(pages: paths, to: csv)
                parts = [LoadPart.file(csv)]
            } catch let error as ExtractError {
                throw .usage(error.description)
            } catch let error as TransformError {
                throw .usage(error.description)
            } catch {
                throw .usage(String(describing: error))
            }
        } else {
            folder = nil
        }
        defer { folder?.remove() }
        let detailText = (try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) }
        do {
            let database = try CostDatabase(path: options.databasePath)
            let request = LoadRequest(
                scope: scope, period: period, metric: metric, source: source, sourceDetail: detailText,
                parts: parts, maxRejectedFraction: options.maxRejectedPercent / 100,
                progress: options.progress, isCancelled: options.isCancelled)
            var summary = try PartitionLoader(database: database, logger: logger).load(request)
            if let expected = manifest?.dataRowCount, expected != summary.rowsRead {
                summary.warnings.add("manifest dataRowCount differs", "\(expected) announced, \(summary.rowsRead) read")
            }
            return summary
        } catch {
            throw .load(error)
        }
    }
}
