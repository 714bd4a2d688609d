import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh verify`.
public enum Verify {
    public static func run(
        databasePath: String, scope: Scope?, periods: PeriodRange
    ) throws(PipelineError) -> [VerificationCheck] {
        let scopeId = scope?.id
        let (first, last) = (periods.lowerBound, periods.upperBound)
        let database: CostDatabase
        do { database = try CostDatabase(path: databasePath) } catch { throw .load(error) }
        do {
            return try Verifier(database: database).run(scope: scopeId, from: first, to: last)
        } catch {
            throw .query(error)
        }
    }
}
