import CostwhBytes
import CostwhModel
import CostwhTransform

/// One file or blob of a partition.
public struct LoadPart {
    public let name: String
    public let open: () throws(BytesError) -> ByteSource

    public init(name: String, open: @escaping () throws(BytesError) -> ByteSource) {
        self.name = name
        self.open = open
    }

    /// A local file, gzip detected from its bytes.
    public static func file(_ path: String) -> LoadPart {
        LoadPart(name: path) { () throws(BytesError) -> ByteSource in try LocalFiles.open(path: path) }
    }
}

/// What to load, and where it goes.
public struct LoadRequest {
    public var scope: Scope
    public var period: BillingPeriod
    public var metric: Metric
    /// `file`, `cost-details`, … : recorded in the ledger.
    public var source: String
    /// A JSON object for the ledger (paths, report id). Never holds a secret.
    public var sourceDetail: String?
    public var parts: [LoadPart]
    /// The share of rows that may be rejected before the load fails (0.01 = 1 %).
    public var maxRejectedFraction: Double
    /// Called now and then with the progress made, from the loading thread.
    public var progress: ((LoadProgress) -> Void)?
    /// Checked now and then; when it returns true the load stops and rolls back.
    public var isCancelled: () -> Bool
    /// Warnings from before the load (throttling and retries while extracting), for the ledger.
    public var extraWarnings = Warnings()
    /// Dialect overrides, and for FOCUS files the metric being read (`metric`, set by init).
    public var readOptions: ReadOptions

    public init(
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

public struct LoadProgress: Sendable {
    public let part: String
    public let bytes: Int
    public let rows: Int
}

/// What a load did, as written to the ledger.
public struct LoadSummary: Sendable {
    public enum Status: String, Sendable {
        case succeeded, failed, unchanged, skipped, abandoned, running
    }

    public var loadId: Int64
    public var scope: Scope
    public var period: BillingPeriod
    public var metric: Metric
    public var status: Status
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsRejected = 0
    public var costTotal = 0.0
    public var currencies: [String] = []
    public var warnings = Warnings()
    public var contentHash: String?
    public var bytesRead = 0
    public var seconds = 0.0
    public var replacedLoadId: Int64?
    /// The load's rows in `cost_fact`, nil when it has none.
    public var firstRowId: Int64?
    public var lastRowId: Int64?
    public var error: String?
    /// How the files were read (encoding, delimiter, decimal comma, date order), one entry per distinct dialect.
    public var dialects: [String] = []
}
