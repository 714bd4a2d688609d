import CostwhLoad
import CostwhModel
import CostwhQuery
import Foundation

/// `costwh report --html`.
package enum Report {
    package static func write(
        databasePath: String, html path: String, scope: Scope?, periods: PeriodRange, top: Int = 10
    ) throws(PipelineError) {
        let scopeId = scope?.id
        let (first, last) = (periods.lowerBound, periods.upperBound)
        let database = try DatabaseLocation.openForReading(databasePath)
        let html: String
        do { html = try HTMLReport(store: database).render(scope: scopeId, from: first, to: last, top: top) } catch {
            throw .query(error)
        }
        do {
            try writePrivately(Data(html.utf8), to: path)
        } catch {
            throw .usage("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Cost data is confidential, so the report is readable by its owner only, like the
    /// database: written to a 0600 temporary file beside it, then renamed over the target.
    static func writePrivately(_ data: Data, to path: String) throws {
        let temporary = path + ".costwh-\(getpid()).tmp"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            // rename keeps the temporary file's mode; an existing report is replaced, not widened.
            chmod(path, 0o600)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
