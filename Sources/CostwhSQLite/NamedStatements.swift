import CostwhLoad
import Foundation
import GRDB

/// The engine-neutral statements (`Ledger`, `LoadHistory`, `DatasetSQL`) run on SQLite: their
/// `:name` parameters bound from `StoreValue`s, their rows read back as `StoreValue`s.
extension StatementArguments {
    init(named parameters: [String: StoreValue]) {
        var arguments: [String: (any DatabaseValueConvertible)?] = [:]
        for (name, value) in parameters {
            switch value {
            // Assigning nil would remove the key; NULL must stay bound.
            case .null: arguments.updateValue(nil, forKey: name)
            case .integer(let v): arguments[name] = v
            case .real(let v): arguments[name] = v
            case .text(let v): arguments[name] = v
            case .blob(let v): arguments[name] = Data(v)
            }
        }
        self.init(arguments)
    }
}

extension DatabaseValue {
    var storeValue: StoreValue {
        switch storage {
        case .null: .null
        case .int64(let v): .integer(v)
        case .double(let v): .real(v)
        case .string(let v): .text(v)
        case .blob(let v): .blob(Array(v))
        }
    }
}

extension Database {
    /// Runs a statement with `:name` parameters.
    func execute(named sql: String, _ parameters: [String: StoreValue]) throws {
        try execute(sql: sql, arguments: StatementArguments(named: parameters))
    }

    /// The rows of a statement with `:name` parameters.
    func rows(named sql: String, _ parameters: [String: StoreValue] = [:]) throws -> [[StoreValue]] {
        try Row.fetchAll(self, sql: sql, arguments: StatementArguments(named: parameters)).map {
            $0.databaseValues.map(\.storeValue)
        }
    }
}
