import CostwhLoad
import GRDB

/// SQLite's errors as the store seam reads them: the message (with the extended code's name,
/// which says which system call an I/O error came from), and the primary result code
/// (SQLITE_FULL, SQLITE_BUSY…) that decides whether a failure is retried or reported as a full disk.
extension DatabaseError: EngineError {
    package var engineMessage: String { SQLiteResultCodeName.describe(self) }
    package var engineCode: Int32? { resultCode.primaryResultCode.rawValue }
}
