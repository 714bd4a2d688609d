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
    /// Every load succeeded and is kept, but a closed month moved by more than
    /// `--fail-on-restatement` percent.
    static let restated: Int32 = 3
    static let usage: Int32 = 64
    /// sysexits' EX_DATAERR: an input is not data costwh can read, or too much of it was rejected.
    static let dataError: Int32 = 65
    /// sysexits' EX_NOINPUT: an input file does not exist or cannot be read.
    static let noInput: Int32 = 66
    /// sysexits' EX_UNAVAILABLE: the PostgreSQL server cannot be reached.
    static let storeUnreachable: Int32 = 69
    /// sysexits' EX_IOERR: the connection to the PostgreSQL server was lost mid-way.
    static let storeConnectionLost: Int32 = 74
    static let busy: Int32 = 75
    /// sysexits' EX_NOPERM: the PostgreSQL server refused the user or password.
    static let storeAuthentication: Int32 = 77
    /// sysexits' EX_NOPERM too: a file costwh must write (the job lock) is not writable or not safe.
    static let permission: Int32 = 77
    static let interrupted: Int32 = 130
}
