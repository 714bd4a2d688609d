import CostwhBytes
import CostwhModel
import CostwhParquet

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

/// A cost-details or FOCUS file: decides its dialect from the first block, finds its header
/// (after any preamble lines, as the legacy EA downloads have), then yields normalised
/// rows or the reason a row was refused. A Parquet file (`ByteSource.randomAccessPath`) is
/// read through `ParquetRows`, its columns mapped by name like a header.
package final class CostFileReader {
    /// Lines a header may be preceded by.
    package static let maxPreambleLines = 20

    /// The CSV reader, nil for a Parquet file.
    package let csv: CSVReader?
    /// The Parquet rows, nil for a CSV file.
    package let parquet: ParquetRows?
    package let normaliser: RowNormaliser
    package let mapping: HeaderMapping
    package let dialect: Dialect
    /// The 1-based line of the header row.
    package let headerLine: Int
    /// Lines skipped before the header.
    package let preambleLines: Int
    package let name: String
    /// A Parquet file's size and rows, for `bytesConsumed`.
    private let parquetBytes: Int
    private let parquetRows: Int

    /// Reads the header. A file whose first `maxPreambleLines + 1` lines hold no
    /// recognisable header is refused, naming what was missing.
    package init(
        source: ByteSource, options: ReadOptions = ReadOptions(), chunkSize: Int = 4 << 20, maxRecordBytes: Int = 64 << 20
    ) throws(TransformError) {
        name = source.name
        if let path = source.randomAccessPath {
            let opened = try CostFileReader.openParquet(source, path: path, options: options)
            (parquet, dialect, mapping, parquetBytes, parquetRows) = opened
            csv = nil
            headerLine = 1
            preambleLines = 0
        } else {
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
            self.parquet = nil
            self.dialect = dialect
            self.mapping = mapping
            self.headerLine = line
            self.preambleLines = line - 1
            parquetBytes = 0
            parquetRows = 0
        }
        self.normaliser = RowNormaliser(
            mapping: mapping, file: source.name, dialect: dialect, focusMetric: options.focusMetric,
            period: options.period)
    }

    /// A Parquet file's rows, the dialect of its text values and its columns' mapping. Its
    /// bytes are read through `source` first, so that a hashing source records them.
    private static func openParquet(
        _ source: ByteSource, path: String, options: ReadOptions
    ) throws(TransformError) -> (ParquetRows, Dialect, HeaderMapping, Int, Int) {
        var size = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        do {
            while case let n = try source.read(into: buffer), n > 0 { size += n }
        } catch {
            throw .source(error)
        }
        do {
            let rows = try ParquetRows(path: path, name: source.name)
            let mapping = try parquetMapping(rows, name: source.name)
            // Numbers and dates held as strings are read as in the file's CSV text: the dialect
            // is decided from its first rows as that text. That decodes the first page of every
            // column, dictionaries included (0.3 G instructions for the benchmark's million rows,
            // before the first row reaches the writer), so it is done only when a string holds one.
            let textHeld = mapping.fieldOfColumn.indices.contains { column in
                let field = mapping.fieldOfColumn[column]
                let type = Catalog.columns[column].type
                return field >= 0 && (type == .real || type == .date) && rows.holdsText(field)
            }
            let dialect: Dialect
            if textHeld {
                do {
                    (dialect, _) = try DialectDetector.open(
                        ParquetCSVSource(path: path, name: source.name), overrides: options.dialect)
                } catch TransformError.source(.readFailed(_, let reason)) {
                    // The sample's rows come from the whole file, already here: what cannot be
                    // read of them is damage (exit 65), as it is when a later row finds it.
                    throw TransformError.damaged(file: source.name, reason: reason)
                }
            } else {
                dialect = DialectDetector.withoutSample(overrides: options.dialect)
            }
            return (rows, dialect, mapping, size, max(1, rows.totalRows))
        } catch {
            throw opening(error, name: source.name)
        }
    }

    /// What opening a Parquet file failed on: its structure (damage, exit 65), or a reason of
    /// the transform's own.
    private static func opening(_ error: any Error, name: String) -> TransformError {
        switch error {
        case let error as ParquetError: return .damaged(file: name, reason: error.reasonWithoutFile)
        case let error as TransformError: return error
        default: return .source(.readFailed(name: name, reason: "\(error)"))
        }
    }

    /// A Parquet file's columns mapped by name, as a CSV header is.
    private static func parquetMapping(_ rows: ParquetRows, name: String) throws(TransformError) -> HeaderMapping {
        let mapping = HeaderMapping(headers: rows.fieldNames.map { $0.trimmingCharacters(in: " ") })
        guard mapping.isRecognised else {
            guard rows.fieldCount > 0 else { throw .emptyFile(file: name) }
            throw .unrecognisedHeader(file: name, line: 1, missing: mapping.missing, found: mapping.headers)
        }
        return mapping
    }

    /// The schema a file's header names, read from as little of it as tells: a Parquet
    /// file's footer (no row is decoded), a CSV file's first lines.
    package static func schema(of source: ByteSource, options: ReadOptions = ReadOptions()) throws(TransformError)
        -> HeaderMapping.Schema
    {
        guard let path = source.randomAccessPath else {
            return try CostFileReader(source: source, options: options, chunkSize: 1 << 16).mapping.schema
        }
        do {
            return try parquetMapping(ParquetRows(path: path, name: source.name), name: source.name).schema
        } catch {
            throw opening(error, name: source.name)
        }
    }

    /// Advances to the next data row; returns nil at the end of the file.
    @inline(__always)
    package func next() throws(TransformError) -> RowNormaliser.Outcome? {
        if let parquet {
            do {
                guard try parquet.next() else { return nil }
            } catch {
                throw .damaged(file: name, reason: error.reasonWithoutFile)
            }
            return normaliser.normalise(parquet)
        }
        guard try csv!.next() else { return nil }
        return normaliser.normalise(csv!)
    }

    /// The 1-based line of the current record: for Parquet, the row's number after a header line.
    package var lineNumber: Int { parquet.map { $0.rowNumber + 1 } ?? csv!.lineNumber }

    /// The current record's raw text, for quarantine (a Parquet row as a CSV line).
    package func recordText() -> String { parquet?.recordText() ?? csv!.recordText() }

    /// Bytes of the source read so far: for Parquet, the file's share of the rows read.
    package var bytesConsumed: Int {
        if let parquet { return Int(Double(parquetBytes) * Double(parquet.rowNumber) / Double(parquetRows)) }
        return csv!.bytesConsumed
    }
}
