import CostwhModel
import Foundation

/// A folder downloaded from a Cost Management export: `manifest.json` and its partitioned
/// `part_*.csv(.gz)` files. One manifest is one partition (for a FOCUS export, both metrics
/// of it); its run information says which.
///
/// Manifests are read as Microsoft writes them today: `dataRowCount` may be null (only an
/// explicit 0 means an empty blob, finops-toolkit#2173), each blob's `byteCount` is checked
/// against the file, and of several runs in one folder tree the newest `submittedTime` wins.
package struct ExportsFolder: Sendable {
    package enum Dataset: Sendable, Equatable {
        case costDetails(Metric)
        /// `FocusCost`: one export fills both metrics.
        case focus
    }

    package let scope: Scope
    package let dataset: Dataset
    package let period: BillingPeriod
    package let files: [String]
    package let manifestPath: String
    package let runId: String?
    package let exportName: String?
    package let submittedTime: String?
    /// Rows the manifest announces, to compare with what was read; nil when it says null.
    package let dataRowCount: Int?

    package var metric: Metric? { if case .costDetails(let m) = dataset { return m } else { return nil } }

    /// `path` is an export folder, a folder holding several runs of one export, or a manifest.json.
    package init(path: String) throws(ExtractError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file or folder")
        }
        let manifestPath: String
        if !isDirectory.boolValue {
            manifestPath = path
        } else if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("manifest.json")) {
            manifestPath = (path as NSString).appendingPathComponent("manifest.json")
        } else {
            manifestPath = try ExportsFolder.newestManifest(under: path)
        }
        try self.init(manifest: manifestPath)
    }

    /// The manifest of the newest run below `folder` (by `runInfo.submittedTime`).
    static func newestManifest(under folder: String) throws(ExtractError) -> String {
        var best: (time: String, path: String)?
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let relative = enumerator?.nextObject() as? String {
            guard (relative as NSString).lastPathComponent == "manifest.json" else { continue }
            let full = (folder as NSString).appendingPathComponent(relative)
            let object = FileManager.default.contents(atPath: full).flatMap {
                try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
            }
            let time = ((object?["runInfo"] as? [String: Any])?["submittedTime"] as? String) ?? ""
            if best == nil || time > best!.time || (time == best!.time && full > best!.path) { best = (time, full) }
        }
        guard let best else {
            throw .cannotOpen(path: folder, reason: "an Exports folder needs a manifest.json (none found below it)")
        }
        return best.path
    }

    package init(manifest manifestPath: String) throws(ExtractError) {
        self.manifestPath = manifestPath
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
        let scopeText =
            resourceId.range(of: "/providers/Microsoft.CostManagement/exports", options: .caseInsensitive).map {
                String(resourceId[..<$0.lowerBound])
            } ?? resourceId
        do { scope = try Scope(parsing: scopeText) } catch {
            throw .malformedResponse(what: manifestPath, reason: "exportConfig.resourceId: \(error.description)")
        }
        let type = config["type"] as? String ?? ""
        switch type.lowercased() {
        case "actualcost", "usage": dataset = .costDetails(.actualCost)
        case "amortizedcost": dataset = .costDetails(.amortizedCost)
        case "focuscost": dataset = .focus
        default:
            throw .malformedResponse(
                what: manifestPath,
                reason:
                    "exportConfig.type `\(type)` is not a cost dataset costwh loads as cost details (ActualCost, AmortizedCost or FocusCost)"
            )
        }
        guard let start = (run["startDate"] as? String).flatMap({ CalendarDate(isoPrefix: $0) }) else {
            throw .malformedResponse(what: manifestPath, reason: "runInfo.startDate is missing or not a date")
        }
        period = start.billingPeriod
        runId = run["runId"] as? String
        submittedTime = run["submittedTime"] as? String
        exportName = config["exportName"] as? String
        dataRowCount = (manifest["dataRowCount"] as? NSNumber)?.intValue
        let folder = URL(fileURLWithPath: (manifestPath as NSString).deletingLastPathComponent)
        var files: [String] = []
        var seen: Set<String> = []
        let blobs = manifest["blobs"] as? [[String: Any]] ?? []
        for blob in blobs {
            guard let name = blob["blobName"] as? String else { continue }
            // Blob names carry the storage path; the folder holds the file by its last component.
            let last = (name as NSString).lastPathComponent
            guard !last.contains(".."), last.range(of: "/") == nil else {
                throw .malformedResponse(what: manifestPath, reason: "blob name `\(name)` is not a file name")
            }
            // Listed twice, a blob would be loaded twice: its money counted twice.
            guard seen.insert(last).inserted else {
                throw .malformedResponse(
                    what: manifestPath, reason: "blob `\(last)` is listed twice; a manifest lists each blob once")
            }
            let candidate = folder.appendingPathComponent(last).path
            try ExportsFolder.checkInside(candidate, folder: folder.path, manifest: manifestPath)
            let rows = (blob["dataRowCount"] as? NSNumber)?.intValue
            guard FileManager.default.fileExists(atPath: candidate) else {
                // Only an explicit 0 says the blob is empty; null says nothing.
                if rows == 0 { continue }
                throw .cannotOpen(path: candidate, reason: "the manifest lists it but the folder does not have it")
            }
            if let expected = (blob["byteCount"] as? NSNumber)?.intValue {
                let actual =
                    ((try? FileManager.default.attributesOfItem(atPath: candidate))?[.size] as? NSNumber)?.intValue
                    ?? -1
                guard actual == expected else {
                    throw .sizeMismatch(blob: candidate, expected: expected, actual: actual)
                }
            }
            files.append(candidate)
        }
        if blobs.isEmpty {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            files = names.filter {
                $0.hasPrefix("part_") && ($0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz") || $0.hasSuffix(".parquet"))
            }.sorted().map { folder.appendingPathComponent($0).path }
            for file in files { try ExportsFolder.checkInside(file, folder: folder.path, manifest: manifestPath) }
        }
        guard !files.isEmpty || dataRowCount == 0 else {
            throw .cannotOpen(path: folder.path, reason: "no part_*.csv(.gz) files beside the manifest")
        }
        self.files = files
    }
}

extension ExportsFolder {
    /// Refuses a blob that is a symbolic link to a file outside the export folder: a folder
    /// others can write could otherwise make costwh read (and quote in its errors and ledger)
    /// any file on the machine. Links that stay inside the folder are fine.
    static func checkInside(_ path: String, folder: String, manifest: String) throws(ExtractError) {
        guard let resolvedFolder = realpath(folder, nil) else { return }
        defer { free(resolvedFolder) }
        guard let resolved = realpath(path, nil) else { return }  // missing: reported by the caller
        defer { free(resolved) }
        let inside = String(cString: resolvedFolder)
        let target = String(cString: resolved)
        guard target.hasPrefix(inside.hasSuffix("/") ? inside : inside + "/") else {
            throw .malformedResponse(
                what: manifest,
                reason:
                    "blob \((path as NSString).lastPathComponent) is a symbolic link that leaves the export folder; costwh does not follow it"
            )
        }
    }
}

extension CalendarDate {
    /// The date at the start of an ISO date or timestamp.
    package init?(isoPrefix text: String) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }
}
