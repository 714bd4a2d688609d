import CostwhModel
import Foundation

/// Reads an ARM list answer page by page (`nextLink`), saving each page to the private
/// folder as it arrives, so a partition is never held in memory. A single-resource answer
/// (no `value`) is one page.
package enum JSONPages {
    package static func fetch(
        arm: ARMClient, url first: String, scope: Scope, what: String, requireList: Bool = true,
        into folder: PrivateFolder, filePrefix: String = "page", maxPages: Int = 100_000
    ) async throws(ExtractError) -> [String] {
        var next: String? = first
        var pages: [String] = []
        while let url = next {
            guard pages.count < maxPages else {
                throw .malformedResponse(what: what, reason: "more than \(maxPages) pages; is nextLink looping?")
            }
            let result = try await arm.send(
                HTTPRequestSpec(url: url, what: "read \(what), page \(pages.count + 1)"), scope: scope)
            if result.status == 204 { break }
            guard result.status == 200 else { throw ARMClient.error(result, scope: scope, what: "read \(what)") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any],
                !requireList || object["value"] is [Any]
            else {
                throw .malformedResponse(
                    what: "\(what), page \(pages.count + 1)",
                    reason: requireList ? "not a JSON object with a `value` array" : "not a JSON object")
            }
            let (path, fd) = try folder.createFile(named: "\(filePrefix)-\(pages.count + 1).json")
            let written = result.body.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == result.body.count else {
                throw .transport(what: "save \(what)", reason: "cannot write \(path)")
            }
            pages.append(path)
            PhaseProbe.mark("page")
            next = (object["nextLink"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            if let link = next { try HTTPTransport.checkSafe(url: link) }
        }
        return pages
    }
}
