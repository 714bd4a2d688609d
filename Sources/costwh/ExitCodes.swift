import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Exit codes, documented in the README and in `costwh --help`.
enum ExitCodes {
    static let failure: Int32 = 1
    static let partialFailure: Int32 = 2
    static let usage: Int32 = 64
    static let busy: Int32 = 75
    static let interrupted: Int32 = 130
}
