import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation

/// One file or blob of a partition.
package struct LoadPart {
    package let name: String
    package let open: () throws(BytesError) -> ByteSource
    /// The bytes `meter` will have counted at the end, when known up front (for progress).
    package var size: Int?
    /// Counts the part's bytes as read, when its opener reports them.
    package var meter: ByteMeter?

    package init(name: String, open: @escaping () throws(BytesError) -> ByteSource) {
        self.name = name
        self.open = open
    }

    /// A local file, gzip detected from its bytes.
    package static func file(_ path: String) -> LoadPart {
        let meter = ByteMeter()
        var part = LoadPart(name: path) { () throws(BytesError) -> ByteSource in
            try CostInput.open(path: path, meter: meter)
        }
        part.meter = meter
        part.size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        return part
    }

    /// A blob read behind its download.
    package static func spool(_ spool: Spool, size: Int?) -> LoadPart {
        let meter = ByteMeter()
        var part = LoadPart(name: spool.name) { () throws(BytesError) -> ByteSource in
            try CostInput.open(spool: spool, meter: meter)
        }
        part.meter = meter
        part.size = size
        return part
    }
}

/// What to load, and where it goes.
package struct LoadRequest {
    package var scope: Scope
    package var period: BillingPeriod
    /// The cost-details metric; ignored for the other datasets.
    package var metric: Metric
    /// What the load holds: cost details (the default) or another dataset of the scope.
    package var dataset: Dataset = .costDetails
    /// `file`, `cost-details`, … : recorded in the ledger.
    package var source: String
    /// A JSON object for the ledger (paths, report id). Never holds a secret.
    package var sourceDetail: String?
    package var parts: [LoadPart]
    /// The share of rows that may be rejected before the load fails (0.01 = 1 %).
    package var maxRejectedFraction: Double
    /// Called now and then with the progress made, from the loading thread.
    package var progress: ((LoadProgress) -> Void)?
    /// Checked now and then; when it returns true the load stops and rolls back.
    package var isCancelled: () -> Bool
    /// Warnings from before the load (throttling and retries while extracting), for the ledger.
    package var extraWarnings = Warnings()
    /// Warnings known only once the rows are read (a streamed download's retries), merged
    /// when the last row has been fed, before the commit.
    package var lateWarnings: (() -> Warnings)?
    /// A local file's rows must be of this request's billing period (`PeriodCheck`).
    package var refuseRowsOfOtherPeriods = false
    /// The content hash of the partition's current load, when its parts are read while they
    /// arrive: a load that reads the same content rolls back and is recorded as unchanged.
    package var unchangedHash: String?
    /// Called when the load stops before reading all its parts, so parts still arriving
    /// (a streamed download) stop feeding the parser and the download stops.
    package var abandon: () -> Void = {}
    /// Dialect overrides, and for FOCUS files the metric being read (`metric`, set by init).
    package var readOptions: ReadOptions

    package init(
        scope: Scope, period: BillingPeriod, metric: Metric, source: String = "file", sourceDetail: String? = nil,
        parts: [LoadPart], maxRejectedFraction: Double = 0.01, progress: ((LoadProgress) -> Void)? = nil,
        isCancelled: @escaping () -> Bool = { false }
    ) {
        self.scope = scope
        self.period = period
        self.metric = metric
        self.source = source
        self.sourceDetail = sourceDetail
        self.parts = parts
        self.maxRejectedFraction = maxRejectedFraction
        self.progress = progress
        self.isCancelled = isCancelled
        self.readOptions = ReadOptions(focusMetric: metric)
    }
}

extension LoadRequest {
    /// The ledger's Metric: the metric for cost details, NULL for the other datasets.
    package var ledgerMetric: String? { dataset == .costDetails ? metric.rawValue : nil }
}

package struct LoadProgress: Sendable {
    package let part: String
    package let bytes: Int
    package let rows: Int
    /// Bytes read from the files or downloads so far, before decompression.
    package var readBytes = 0
    /// Their total, when every part's size is known (file sizes, blob byteCounts).
    package var totalBytes: Int?

    package init(part: String, bytes: Int, rows: Int, readBytes: Int = 0, totalBytes: Int? = nil) {
        self.part = part
        self.bytes = bytes
        self.rows = rows
        self.readBytes = readBytes
        self.totalBytes = totalBytes
    }

    /// The share done, 0 to 1, when the total is known.
    package var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(readBytes) / Double(totalBytes))
    }
}

/// What a load did, as written to the ledger.
package struct LoadSummary: Sendable {
    package enum Status: String, Sendable {
        case succeeded, failed, unchanged, skipped, abandoned, running
    }

    package var loadId: Int64
    package var scope: Scope
    package var period: BillingPeriod
    package var metric: Metric
    package var dataset: Dataset = .costDetails
    package var status: Status
    package var rowsRead = 0
    package var rowsLoaded = 0
    package var rowsRejected = 0
    package var costTotal = 0.0
    package var currencies: [String] = []
    package var warnings = Warnings()
    package var contentHash: String?
    package var bytesRead = 0
    package var seconds = 0.0
    package var replacedLoadId: Int64?
    /// The load's rows in `cost_fact`, nil when it has none.
    package var firstRowId: Int64?
    package var lastRowId: Int64?
    package var error: String?
    /// How the files were read (encoding, delimiter, decimal comma, date order), one entry per distinct dialect.
    package var dialects: [String] = []

    package init(loadId: Int64, scope: Scope, period: BillingPeriod, metric: Metric, status: Status) {
        self.loadId = loadId
        self.scope = scope
        self.period = period
        self.metric = metric
        self.status = status
    }
}
