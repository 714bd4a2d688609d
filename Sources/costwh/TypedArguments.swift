import ArgumentParser
import CostwhModel

// The model's values are parsed once, at the edge: commands hold typed values and the
// pipeline never parses text. A value that does not parse is a usage error (64) whose message
// says what was expected, naming the flag.

extension Scope: ExpressibleByArgument {
    package init?(argument: String) { try? self.init(parsing: argument) }
}

extension BillingPeriod: ExpressibleByArgument {
    package init?(argument: String) { try? self.init(parsing: argument) }
}

extension Metric: ExpressibleByArgument {
    package init?(argument: String) { try? self.init(parsing: argument) }
}

extension PeriodRange: ExpressibleByArgument {
    package init?(argument: String) { try? self.init(parsing: argument) }
}

/// `actual`, `amortized` or `both`.
enum MetricChoice: String, ExpressibleByArgument, CaseIterable {
    case actual, amortized, both

    var metrics: [Metric] {
        switch self {
        case .actual: return [.actualCost]
        case .amortized: return [.amortizedCost]
        case .both: return [.actualCost, .amortizedCost]
        }
    }
}

/// Parsers that keep the model's own message ("invalid scope …: expected …").
enum Parse {
    static func scope(_ text: String) throws -> Scope { try Scope(parsing: text) }
    static func period(_ text: String) throws -> BillingPeriod { try BillingPeriod(parsing: text) }
    static func metric(_ text: String) throws -> Metric { try Metric(parsing: text) }
    static func dataset(_ text: String) throws -> Dataset { try Dataset(parsing: text) }
}

/// `--period`, or `--from` and `--to`: the months a read command covers.
struct PeriodOptions: ParsableArguments {
    @Option(help: "One billing period, YYYY-MM.", transform: Parse.period)
    var period: BillingPeriod?

    @Option(help: "First billing period, YYYY-MM.", transform: Parse.period)
    var from: BillingPeriod?

    @Option(help: "Last billing period, YYYY-MM.", transform: Parse.period)
    var to: BillingPeriod?

    func validate() throws {
        if period != nil && (from != nil || to != nil) {
            throw ValidationError("give either --period or --from/--to, not both")
        }
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
    }

    var range: PeriodRange { period.map { PeriodRange($0) } ?? PeriodRange(from: from, to: to) }
}
