import CostwhExtract
import CostwhModel
import CostwhPipeline
import Foundation

/// The tests name scopes, months and metrics as text; the pipeline takes typed values.
extension BackfillOptions {
    package init(
        scope: String, from: String, to: String, metrics: [String],
        source: SourceKind = .costDetails,
        settings: ExtractSettings, force: Bool = false, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.init(
            scope: try! Scope(parsing: scope), from: try! BillingPeriod(parsing: from),
            to: try! BillingPeriod(parsing: to),
            metrics: metrics.flatMap {
                $0 == "both" ? [Metric.actualCost, .amortizedCost] : [try! Metric(parsing: $0)]
            },
            source: source, settings: settings, force: force, isCancelled: isCancelled)
    }
}

extension LoadFilesOptions {
    package init(databasePath: String, files: [String], scope: String, period: String?, metric: String?) {
        self.init(
            databasePath: databasePath, files: files, scope: try! Scope(parsing: scope),
            period: period.map { try! BillingPeriod(parsing: $0) },
            metric: metric.map { try! Metric(parsing: $0) })
    }
}
