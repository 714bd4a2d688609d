import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM ask the running load to stop and roll back instead of dying mid-way.
enum Interruption {
    static let requested = Atomic<Bool>(false)

    static func install() {
        // Past a file-size limit, writes should fail with EFBIG (a clear error and a
        // rollback), not kill the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let handler: @convention(c) (Int32) -> Void = { _ in
            Interruption.requested.store(true, ordering: .relaxed)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
