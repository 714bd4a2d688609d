import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh verify`.
package enum Verify {
    package static func run(
        databasePath: String, scope: Scope?, periods: PeriodRange
    ) throws(PipelineError) -> [VerificationCheck] {
        let scopeId = scope?.id
        let (first, last) = (periods.lowerBound, periods.upperBound)
        let database = try DatabaseLocation.openForReading(databasePath)
        do {
            return try Verifier(store: database).run(scope: scopeId, from: first, to: last)
        } catch {
            throw .query(error)
        }
    }
}
