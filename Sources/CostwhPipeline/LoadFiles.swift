import CostwhBytes
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhTransform
import Foundation
import Logging

/// `costwh load`: local files become a partition (a FOCUS file: both metrics of it).
package struct LoadFilesOptions {
    package enum Format: String, Sendable {
        /// Recognised from the bytes: CSV (any dialect, plain or gzip), JSON pages, an
        /// Exports folder or its manifest, FOCUS.
        case auto
        /// Cost-details or FOCUS CSV, plain or gzip.
        case csv
        /// Saved Consumption usageDetails (or EA Reporting) JSON pages.
        case usageDetailsJSON = "usage-details-json"
    }

    package var databasePath: String
    package var files: [String]
    package var scope: Scope?
    package var period: BillingPeriod?
    /// Required for cost-details CSV; optional for FOCUS (both metrics) and Exports (the manifest says).
    package var metric: Metric?
    package var format: Format = .auto
    /// Cost details (the default) or another dataset of the scope: its CSV download or JSON answer.
    package var dataset: Dataset = .costDetails
    /// A Cost Management Exports folder; its manifest names scope, metric and period.
    package var exportsFolder: String?
    /// Overrides of the detected dialect (`--delimiter`, `--encoding`, `--decimal-comma`, `--date-order`).
    package var dialect = DialectOverrides.none
    /// Percent of rows that may be rejected before the load fails.
    package var maxRejectedPercent: Double
    package var progress: ((LoadProgress) -> Void)?
    package var isCancelled: () -> Bool

    package init(
        databasePath: String, files: [String], scope: Scope?, period: BillingPeriod?, metric: Metric?,
        maxRejectedPercent: Double = 1, progress: ((LoadProgress) -> Void)? = nil,
        isCancelled: @escaping () -> Bool = { false }
    ) {
        self.databasePath = databasePath
        self.files = files
        self.scope = scope
        self.period = period
        self.metric = metric
        self.maxRejectedPercent = maxRejectedPercent
        self.progress = progress
        self.isCancelled = isCancelled
    }
}

package enum LoadFiles {
    /// Loads the files; returns one summary per partition written (two for FOCUS input).
    package static func run(_ options: LoadFilesOptions, logger: Logger) throws(PipelineError) -> [LoadSummary] {
        guard (0...100).contains(options.maxRejectedPercent) else {
            throw .usage("the share of rows that may be rejected must be a percentage from 0 to 100")
        }
        if options.dataset != .costDetails { return [try loadDataset(options, logger: logger)] }
        let given = options.files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let (streams, spooled) = try spoolStreams(given)
        defer { streams?.remove() }
        var paths = spooled
        var format = options.format
        var exportsPath = options.exportsFolder
        if format == .auto && exportsPath == nil {
            let kinds = try paths.map { (path) throws(PipelineError) in (path, try InputKind.sniff(path)) }
            if let exports = kinds.first(where: { $0.1 == .exports }) {
                guard paths.count == 1 else {
                    throw .usage(
                        "\(exports.0) is a Cost Management export: load it on its own (one export is one partition)")
                }
                exportsPath = exports.0
                paths = []
            } else if kinds.contains(where: { $0.1 == .json }) {
                guard kinds.allSatisfy({ $0.1 == .json }) else {
                    throw .usage(
                        "give JSON pages and CSV files in separate loads: \(kinds.map { "\($0.0) (\($0.1.rawValue))" }.joined(separator: ", "))"
                    )
                }
                format = .usageDetailsJSON
            } else {
                format = .csv
            }
        }
        var detail: [String: Any] = [:]
        var source = "file"
        var manifest: ExportsFolder?
        if let folder = exportsPath {
            do { manifest = try ExportsFolder(path: folder) } catch { throw PipelineError(error) }
            paths = manifest!.files
            source = "exports"
            detail["manifest"] = manifest!.manifestPath
            if let run = manifest!.runId { detail["runId"] = run }
            if let name = manifest!.exportName { detail["exportName"] = name }
            if let time = manifest!.submittedTime { detail["submittedTime"] = time }
        }
        guard !paths.isEmpty else {
            if manifest?.dataRowCount == 0 {
                throw .badData("\(manifest!.manifestPath): the export has no rows (dataRowCount 0); nothing to load")
            }
            throw .usage("no files given: name one or more cost files, or an Exports folder")
        }
        func pick<T>(_ given: T?, _ fromManifest: T?, _ what: String) throws(PipelineError) -> T {
            if let value = given ?? fromManifest { return value }
            throw .usage("the \(what) is required: the files do not say it")
        }
        let scope = try pick(options.scope, manifest?.scope, "scope")
        // The names the operator gave, not the private copies of streams.
        detail["files"] = manifest == nil ? given : paths
        var parts = paths.map(LoadPart.file)
        let folder: PrivateFolder?
        var metrics: [Metric]
        if format == .usageDetailsJSON {
            source = "usage-details-json"
            do {
                let private_ = try PrivateFolder()
                folder = private_
                let (csv, fd) = try private_.createFile(named: "usage-details.csv")
                close(fd)
                try UsageDetailsConverter.convert(pages: paths, to: csv)
                parts = [LoadPart.file(csv)]
            } catch {
                throw PipelineError(input: error)
            }
            metrics = [try pick(options.metric, manifest?.metric, "metric (actual or amortized)")]
        } else {
            folder = nil
            let focus: Bool
            if let manifest {
                focus = manifest.dataset == .focus
            } else {
                focus = try isFocus(paths[0], options.dialect)
            }
            if let given = options.metric {
                metrics = [given]
            } else if let fromManifest = manifest?.metric {
                metrics = [fromManifest]
            } else if focus {
                // One FOCUS file fills both metrics: BilledCost → ActualCost, EffectiveCost → AmortizedCost.
                metrics = [.actualCost, .amortizedCost]
            } else {
                throw .usage("the metric (actual or amortized) is required: only FOCUS files carry both")
            }
            if focus { source = manifest == nil ? "focus-file" : "focus-exports" }
        }
        defer { folder?.remove() }
        // Rows belong to the billing period they name. Given a period (--period, or the
        // manifest's), rows of another are an error; without one, the file is split into the
        // periods its rows name, each replaced in this run.
        let periods: [BillingPeriod]
        let givenPeriod = options.period ?? manifest?.period
        if let givenPeriod {
            periods = [givenPeriod]
        } else {
            let named = try periodsNamed(in: parts, dialect: options.dialect)
            guard let named, !named.isEmpty else {
                throw .usage("the billing period is required (--period YYYY-MM): the files do not name one")
            }
            periods = named.keys.sorted()
            detail["periodsInFiles"] = periods.map(\.description)
        }
        let detailText =
            (try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) }
        let database = try DatabaseLocation.open(options.databasePath)
        do {
            var summaries: [LoadSummary] = []
            for period in periods {
            for metric in metrics {
                var request = LoadRequest(
                    scope: scope, period: period, metric: metric, source: source, sourceDetail: detailText,
                    parts: parts, maxRejectedFraction: options.maxRejectedPercent / 100,
                    progress: options.progress, isCancelled: options.isCancelled)
                request.readOptions.dialect = options.dialect
                request.readOptions.period = period
                request.refuseRowsOfOtherPeriods = givenPeriod != nil
                var summary = try PartitionLoader(store: database, logger: logger).load(request)
                if let expected = manifest?.dataRowCount {
                    let read = summary.rowsRead + otherMetricRows(summary.warnings)
                    if expected != read {
                        summary.warnings.add("manifest dataRowCount differs", "\(expected) announced, \(read) read")
                    }
                }
                summaries.append(summary)
            }
            }
            return summaries
        } catch {
            throw .load(error)
        }
    }

    /// A dataset other than cost details: its files (CSV or JSON, any mix) become its partition.
    static func loadDataset(_ options: LoadFilesOptions, logger: Logger) throws(PipelineError) -> LoadSummary {
        guard options.exportsFolder == nil, options.format == .auto else {
            throw .usage(
                "--exports and --usage-details-json are for cost details, not the \(options.dataset.rawValue) dataset")
        }
        guard let scope = options.scope else {
            throw .usage("the scope is required for a \(options.dataset.rawValue) file")
        }
        guard let period = options.period else {
            throw .usage("the billing period is required for a \(options.dataset.rawValue) file")
        }
        guard !options.files.isEmpty else { throw .usage("no files given") }
        let paths = options.files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        for path in paths where !FileManager.default.isReadableFile(atPath: path) {
            throw .noInput("cannot open \(path): no such file, or it cannot be read")
        }
        let detail =
            (try? JSONSerialization.data(
                withJSONObject: ["files": paths], options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) }
        var request = LoadRequest(
            scope: scope, period: period, metric: .actualCost, source: "file", sourceDetail: detail,
            parts: paths.map(LoadPart.file), maxRejectedFraction: options.maxRejectedPercent / 100,
            isCancelled: options.isCancelled)
        request.dataset = options.dataset
        let database = try DatabaseLocation.open(options.databasePath)
        do {
            return try DatasetLoader(store: database, logger: logger).load(request)
        } catch {
            throw .load(error)
        }
    }

    /// Inputs that can be read only once (a FIFO, `/dev/stdin`, a process substitution) are
    /// copied into a private folder first: costwh reads a file more than once (its kind, its
    /// dialect, its content hash, its rows), and a second open of a pipe finds other bytes.
    static func spoolStreams(_ paths: [String]) throws(PipelineError) -> (PrivateFolder?, [String]) {
        var folder: PrivateFolder?
        var result: [String] = []
        for (index, path) in paths.enumerated() {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR else {
                result.append(path)
                continue
            }
            do {
                if folder == nil { folder = try PrivateFolder() }
                let (copy, fd) = try folder!.createFile(named: "stream-\(index)")
                defer { close(fd) }
                let input = open(path, O_RDONLY | O_CLOEXEC)
                guard input >= 0 else {
                    throw PipelineError.noInput("cannot open \(path): \(String(cString: strerror(errno)))")
                }
                defer { close(input) }
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = read(input, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    guard n >= 0 else {
                        throw PipelineError.noInput("cannot read \(path): \(String(cString: strerror(errno)))")
                    }
                    if n == 0 { break }
                    var offset = 0
                    while offset < n {
                        let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, n - offset) }
                        guard w > 0 else {
                            throw PipelineError.badData("cannot copy \(path): \(String(cString: strerror(errno)))")
                        }
                        offset += w
                    }
                }
                result.append(copy)
            } catch let error as PipelineError {
                folder?.remove()
                throw error
            } catch {
                folder?.remove()
                throw PipelineError(input: error)
            }
        }
        return (folder, result)
    }

    /// The billing periods the files' rows name (`BillingPeriodStartDate`, FOCUS
    /// `BillingPeriodStart`), with their row counts; nil when a file has no such column.
    static func periodsNamed(
        in parts: [LoadPart], dialect: DialectOverrides
    ) throws(PipelineError) -> [BillingPeriod: Int]? {
        let column = Catalog.index["BillingPeriodStartDate"]!
        var found: [BillingPeriod: Int] = [:]
        do {
            for part in parts {
                let reader = try CostFileReader(source: try part.open(), options: ReadOptions(dialect: dialect))
                guard reader.mapping.fieldOfColumn[column] >= 0 else { return nil }
                while let outcome = try reader.next() {
                    guard case .row = outcome else { continue }
                    let value = reader.normaliser.values[column]
                    guard let text = value.string, let period = try? BillingPeriod(parsing: String(text.prefix(7)))
                    else { return nil }
                    found[period, default: 0] += 1
                }
            }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(input: error)
        }
        return found
    }

    /// FOCUS rows that went to the other metric only, counted among the file's rows.
    static func otherMetricRows(_ warnings: Warnings) -> Int {
        warnings.counts.first { $0.key.hasPrefix("FOCUS rows") }?.value.values.reduce(0, +) ?? 0
    }

    static func isFocus(_ path: String, _ dialect: DialectOverrides) throws(PipelineError) -> Bool {
        do {
            return try CostFileReader.schema(of: try CostInput.open(path: path), options: ReadOptions(dialect: dialect))
                .isFocus
        } catch {
            throw PipelineError(input: error)
        }
    }
}

/// What a local input is, told from its bytes rather than its name.
package enum InputKind: String, Sendable {
    case csv = "CSV"
    case json = "JSON page"
    case exports = "Exports manifest"

    package static func sniff(_ path: String) throws(PipelineError) -> InputKind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .noInput("cannot open \(path): no such file or folder")
        }
        if isDirectory.boolValue { return .exports }
        if (path as NSString).lastPathComponent.lowercased() == "manifest.json" { return .exports }
        let head: [UInt8]
        do {
            if try CostInput.isParquet(path: path) { return .csv }
            head = try ReplayByteSource.readPrefix(of: try LocalFiles.open(path: path), limit: 8192)
        } catch {
            throw PipelineError(error)
        }
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        while let b = bytes.first, b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { bytes = bytes.dropFirst() }
        guard bytes.first == 0x7B || bytes.first == 0x5B else { return .csv }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.contains("\"exportConfig\"") && text.contains("\"blobs\"") ? .exports : .json
    }
}

extension PipelineError {
    /// A file that cannot be opened is missing input; one that can but holds no cost data is bad data.
    init(_ error: BytesError) {
        if case .cannotOpen = error { self = .noInput(error.description) } else { self = .badData(error.description) }
    }

    init(_ error: TransformError) {
        if case .source(let bytes) = error { self.init(bytes) } else { self = .badData(error.description) }
    }

    /// Any error of reading an input: missing input or bad data, by its kind.
    init(input error: any Error) {
        switch error {
        case let e as BytesError: self.init(e)
        case let e as TransformError: self.init(e)
        case let e as ExtractError: self.init(e)
        default: self = .badData(String(describing: error))
        }
    }

    init(_ error: ExtractError) {
        if case .cannotOpen = error { self = .noInput(error.description) } else { self = .badData(error.description) }
    }
}
