/// Why a benchmark run stopped: a bad option, a tool that could not run, a costwh command that
/// failed. The executable prints it and exits 1; figures measured before it were printed.
package struct BenchError: Error, CustomStringConvertible, Sendable {
    package let description: String

    package init(_ description: String) { self.description = description }
}
