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
    /// sysexits' EX_DATAERR: an input is not data costwh can read, or too much of it was rejected.
    static let dataError: Int32 = 65
    /// sysexits' EX_NOINPUT: an input file does not exist or cannot be read.
    static let noInput: Int32 = 66
    static let busy: Int32 = 75
    static let interrupted: Int32 = 130
}
