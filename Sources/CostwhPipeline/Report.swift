import CostwhLoad
import CostwhModel
import CostwhQuery
import Foundation

/// `costwh report --html`.
public enum Report {
    public static func write(databasePath: String, html path: String, scope: String?, from: String?, to: String?, top: Int = 10) throws(PipelineError) {
        let scopeId = try scope.map { (text) throws(PipelineError) -> String in try Scope.parse(text).id }
        let first = try from.map { (text) throws(PipelineError) -> String in try BillingPeriod.parse(text).description } ?? "0000-00"
        let last = try to.map { (text) throws(PipelineError) -> String in try BillingPeriod.parse(text).description } ?? "9999-99"
        let database: CostDatabase
        do { database = try CostDatabase(path: databasePath) } catch { throw .load(error) }
        let html: String
        do { html = try HTMLReport(database: database).render(scope: scopeId, from: first, to: last, top: top) } catch { throw .query(error) }
        do {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .usage("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
