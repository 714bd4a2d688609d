/// A store's own error, kept whole: its message for people, the engine's result code for
/// code that must tell a full disk or a busy database from the rest, and the error itself.
package struct DatabaseFailure: Error, CustomStringConvertible, Sendable {
    package let message: String
    /// SQLite's primary result code (13 SQLITE_FULL, 5 SQLITE_BUSY…), when the engine gave one.
    package let code: Int32?
    package let underlying: any Error

    /// A failure described by the engine.
    package init(message: String, code: Int32?, underlying: any Error) {
        self.message = message
        self.code = code
        self.underlying = underlying
    }

    package init(_ error: any Error) {
        underlying = error
        if let engine = error as? any EngineError {
            message = engine.engineMessage
            code = engine.engineCode
        } else if let failure = error as? DatabaseFailure {
            message = failure.message
            code = failure.code
        } else {
            message = String(describing: error)
            code = nil
        }
    }

    package var description: String { message }
}

/// An engine's error type, as `DatabaseFailure` reads it: each engine module conforms its
/// driver's error (SQLite's `DatabaseError`), so this module names no engine.
package protocol EngineError: Error {
    var engineMessage: String { get }
    /// The engine's primary result code, when it has one.
    var engineCode: Int32? { get }
}
