import CostwhModel
import CostwhPipeline
import Foundation

/// The tests name scopes, months and metrics as text; the pipeline takes typed values.
extension LoadFilesOptions {
    init(databasePath: String, files: [String], scope: String, period: String, metric: String?) {
        self.init(
            databasePath: databasePath, files: files, scope: try! Scope(parsing: scope),
            period: try! BillingPeriod(parsing: period),
            metric: metric.map { try! Metric(parsing: $0) })
    }
}
