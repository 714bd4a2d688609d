import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh verify`.
public enum Verify {
    public static func run(databasePath: String, scope: String?, period: String?, from: String?, to: String?) throws(PipelineError) -> [VerificationCheck] {
        let scopeId = try scope.map { (text) throws(PipelineError) -> String in try Scope.parse(text).id }
        let first = try (period ?? from).map { (text) throws(PipelineError) -> String in try BillingPeriod.parse(text).description } ?? "0000-00"
        let last = try (period ?? to).map { (text) throws(PipelineError) -> String in try BillingPeriod.parse(text).description } ?? "9999-99"
        let database: CostDatabase
        do { database = try CostDatabase(path: databasePath) } catch { throw .load(error) }
        do {
            return try Verifier(database: database).run(scope: scopeId, from: first, to: last)
        } catch {
            throw .query(error)
        }
    }
}
