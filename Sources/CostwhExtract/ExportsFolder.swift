import CostwhModel
import Foundation

/// A folder downloaded from a Cost Management export: `manifest.json` and its partitioned
/// `part_*.csv(.gz)` files. One manifest is one partition; its run information says which.
public struct ExportsFolder: Sendable {
    public let scope: Scope
    public let metric: Metric
    public let period: BillingPeriod
    public let files: [String]
    public let runId: String?
    public let exportName: String?
    /// Rows the manifest announces, to compare with what was read.
    public let dataRowCount: Int?

    public init(path: String) throws(ExtractError) {
        let manifestPath = (path as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw .cannotOpen(path: manifestPath, reason: "an Exports folder needs its manifest.json")
        }
        guard let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformedResponse(what: manifestPath, reason: "not a JSON object")
        }
        let config = manifest["exportConfig"] as? [String: Any] ?? [:]
        let run = manifest["runInfo"] as? [String: Any] ?? [:]
        guard let resourceId = config["resourceId"] as? String else {
            throw .malformedResponse(what: manifestPath, reason: "exportConfig.resourceId is missing")
        }
        // `{scope}/providers/Microsoft.CostManagement/exports/{name}`
        let scopeText = resourceId.range(of: "/providers/Microsoft.CostManagement/exports", options: .caseInsensitive).map { String(resourceId[..<$0.lowerBound]) } ?? resourceId
        do { scope = try Scope(parsing: scopeText) } catch {
            throw .malformedResponse(what: manifestPath, reason: "exportConfig.resourceId: \(error.description)")
        }
        let type = config["type"] as? String ?? ""
        switch type.lowercased() {
        case "actualcost", "usage": metric = .actualCost
        case "amortizedcost": metric = .amortizedCost
        default:
            throw .malformedResponse(what: manifestPath, reason: "exportConfig.type `\(type)` is not ActualCost or AmortizedCost (FOCUS and price-sheet exports are other datasets)")
        }
        guard let start = (run["startDate"] as? String).flatMap({ CalendarDate(isoPrefix: $0) }) else {
            throw .malformedResponse(what: manifestPath, reason: "runInfo.startDate is missing or not a date")
        }
        period = start.billingPeriod
        runId = run["runId"] as? String
        exportName = config["exportName"] as? String
        dataRowCount = manifest["dataRowCount"] as? Int
        let folder = URL(fileURLWithPath: path)
        var files: [String] = []
        for blob in manifest["blobs"] as? [[String: Any]] ?? [] {
            guard let name = blob["blobName"] as? String else { continue }
            // Blob names carry the storage path; the folder holds the file by its last component.
            let last = (name as NSString).lastPathComponent
            guard !last.contains(".."), last.range(of: "/") == nil else {
                throw .malformedResponse(what: manifestPath, reason: "blob name `\(name)` is not a file name")
            }
            let candidate = folder.appendingPathComponent(last).path
            guard FileManager.default.fileExists(atPath: candidate) else {
                throw .cannotOpen(path: candidate, reason: "the manifest lists it but the folder does not have it")
            }
            files.append(candidate)
        }
        if files.isEmpty {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasPrefix("part_") && ($0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz")) }.sorted().map { folder.appendingPathComponent($0).path }
        }
        guard !files.isEmpty else { throw .cannotOpen(path: path, reason: "no part_*.csv(.gz) files beside the manifest") }
        self.files = files
    }
}

extension CalendarDate {
    /// The date at the start of an ISO date or timestamp.
    public init?(isoPrefix text: String) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }
}
