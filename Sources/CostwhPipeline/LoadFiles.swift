import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// `costwh load`: one or more local files become one partition.
public struct LoadFilesOptions {
    public var databasePath: String
    public var files: [String]
    public var scope: String
    public var period: String
    public var metric: String
    /// Percent of rows that may be rejected before the load fails.
    public var maxRejectedPercent: Double
    public var progress: ((LoadProgress) -> Void)?
    public var isCancelled: () -> Bool

    public init(
        databasePath: String, files: [String], scope: String, period: String, metric: String,
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
        let scope = try Scope.parse(options.scope)
        let period = try BillingPeriod.parse(options.period)
        let metric = try Metric.parse(options.metric)
        guard !options.files.isEmpty else { throw .usage("no files given: name one or more cost-details CSV files") }
        guard (0...100).contains(options.maxRejectedPercent) else {
            throw .usage("--max-rejected must be a percentage from 0 to 100")
        }
        let paths = options.files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let detail = (try? JSONSerialization.data(withJSONObject: ["files": paths], options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) }
        do {
            let database = try CostDatabase(path: options.databasePath)
            let request = LoadRequest(
                scope: scope, period: period, metric: metric, source: "file", sourceDetail: detail,
                parts: paths.map(LoadPart.file), maxRejectedFraction: options.maxRejectedPercent / 100,
                progress: options.progress, isCancelled: options.isCancelled)
            return try PartitionLoader(database: database, logger: logger).load(request)
        } catch {
            throw .load(error)
        }
    }
}
