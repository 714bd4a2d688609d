import CostwhModel
import MCP

/// A tool call's arguments, read by type. A wrong type, an unknown name or a malformed value is
/// an error naming the argument and what it takes, which the model can correct.
struct ToolArguments {
    struct Problem: Error {
        let message: String
    }

    private let values: [String: Value]

    init(_ values: [String: Value]?, allowed: [String], tool: String) throws(Problem) {
        self.values = values ?? [:]
        let unknown = self.values.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Problem(
                message:
                    "\(tool) takes no argument \(unknown.map { "`\($0)`" }.joined(separator: ", ")); it takes \(allowed.isEmpty ? "none" : allowed.map { "`\($0)`" }.joined(separator: ", "))"
            )
        }
    }

    func string(_ name: String) throws(Problem) -> String? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw Problem(message: "`\(name)` must be a string") }
        return text
    }

    func int(_ name: String) throws(Problem) -> Int? {
        guard let value = values[name], !value.isNull else { return nil }
        if let number = value.intValue { return number }
        // Some hosts send every number as a double.
        if let number = value.doubleValue, number == number.rounded(), abs(number) < 1e15 { return Int(number) }
        throw Problem(message: "`\(name)` must be an integer")
    }

    func bool(_ name: String) throws(Problem) -> Bool {
        guard let value = values[name], !value.isNull else { return false }
        guard let flag = value.boolValue else { throw Problem(message: "`\(name)` must be true or false") }
        return flag
    }

    func month(_ name: String) throws(Problem) -> BillingPeriod? {
        guard let text = try string(name) else { return nil }
        do { return try BillingPeriod(parsing: text) } catch {
            throw Problem(message: "`\(name)` must be a billing month YYYY-MM, not `\(TerminalText.neutralised(String(text.prefix(40))))`")
        }
    }

    func scope(_ name: String) throws(Problem) -> Scope? {
        guard let text = try string(name) else { return nil }
        do { return try Scope(parsing: text) } catch {
            throw Problem(message: "`\(name)`: \(error); describe_warehouse lists the loaded scopes")
        }
    }

    func periods() throws(Problem) -> PeriodRange {
        let (from, to) = (try month("from"), try month("to"))
        if let from, let to, from > to { throw Problem(message: "`from` (\(from)) is after `to` (\(to))") }
        return PeriodRange(from: from, to: to)
    }
}
