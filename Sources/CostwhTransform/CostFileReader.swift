import CostwhBytes
import CostwhModel

/// How to read a cost file: dialect overrides and, for FOCUS files, which metric to take.
package struct ReadOptions: Sendable, Equatable {
    package var dialect: DialectOverrides
    /// The metric a FOCUS file is read for (its rows and cost column differ per metric).
    package var focusMetric: Metric
    /// The billing period being loaded, when known: rows whose billing period
    /// (`BillingPeriodStartDate`, FOCUS `BillingPeriodStart`) is another are set aside as
    /// `.otherPeriod`, never loaded into this one (docs/INPUT.md, "Which period a row belongs to").
    package var period: BillingPeriod?

    package init(dialect: DialectOverrides = .none, focusMetric: Metric = .actualCost, period: BillingPeriod? = nil) {
        self.dialect = dialect
        self.focusMetric = focusMetric
        self.period = period
    }
}

/// A cost-details or FOCUS CSV: decides its dialect from the first block, finds its header
/// (after any preamble lines, as the legacy EA downloads have), then yields normalised
/// rows or the reason a row was refused.
package final class CostFileReader {
    /// Lines a header may be preceded by.
    package static let maxPreambleLines = 20

    package let csv: CSVReader
    package let normaliser: RowNormaliser
    package let mapping: HeaderMapping
    package let dialect: Dialect
    /// The 1-based line of the header row.
    package let headerLine: Int
    /// Lines skipped before the header.
    package let preambleLines: Int

    /// Reads the header. A file whose first `maxPreambleLines + 1` lines hold no
    /// recognisable header is refused, naming what was missing.
    package init(
        source: ByteSource, options: ReadOptions = ReadOptions(), chunkSize: Int = 4 << 20, maxRecordBytes: Int = 64 << 20
    ) throws(TransformError) {
        let (dialect, stream) = try DialectDetector.open(source, overrides: options.dialect)
        let csv = CSVReader(source: stream, delimiter: dialect.delimiter, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
        var best: HeaderMapping?
        var bestLine = 1
        var found: (HeaderMapping, Int)?
        var seen = 0
        while seen <= CostFileReader.maxPreambleLines, try csv.next() {
            seen += 1
            let headers = (0..<csv.fieldCount).map { csv.string(of: $0).trimmingCharacters(in: " ") }
            let mapping = HeaderMapping(headers: headers)
            if mapping.isRecognised {
                found = (mapping, csv.lineNumber)
                break
            }
            let mappedCount = mapping.fieldOfColumn.filter { $0 >= 0 }.count
            if best == nil || mappedCount > best!.fieldOfColumn.filter({ $0 >= 0 }).count {
                best = mapping
                bestLine = csv.lineNumber
            }
        }
        guard let (mapping, line) = found else {
            guard let best else { throw .emptyFile(file: source.name) }
            throw .unrecognisedHeader(file: source.name, line: bestLine, missing: best.missing, found: best.headers)
        }
        self.csv = csv
        self.dialect = dialect
        self.mapping = mapping
        self.headerLine = line
        self.preambleLines = line - 1
        self.normaliser = RowNormaliser(
            mapping: mapping, file: source.name, dialect: dialect, focusMetric: options.focusMetric,
            period: options.period)
    }

    package var name: String { csv.name }

    /// Advances to the next data row; returns nil at the end of the file.
    @inline(__always)
    package func next() throws(TransformError) -> RowNormaliser.Outcome? {
        guard try csv.next() else { return nil }
        return normaliser.normalise(csv)
    }
}
