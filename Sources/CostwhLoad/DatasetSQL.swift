import CostwhModel
import CostwhTransform

/// The SQL both stores run around a dataset load, with `:name` parameters.
package enum DatasetSQL {
    /// Inserts one row of `schema`'s table, with positional values in `copyColumns` order.
    package static func insert(_ schema: DatasetSchema) -> String {
        let names = ["LoadId", "SourcePart", "SourceLine"] + schema.columns.map(\.name)
        return
            "INSERT INTO \(schema.table) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
    }

    /// The table's columns in COPY order, as PostgreSQL folds them.
    package static func copyColumns(_ schema: DatasetSchema) -> [String] {
        (["LoadId", "SourcePart", "SourceLine"] + schema.columns.map(\.name)).map { $0.lowercased() }
    }

    package static let previous =
        "SELECT LoadId FROM dataset_partitions WHERE Scope = :scope AND BillingPeriod = :period AND Dataset = :dataset"

    package static let point = """
        INSERT INTO dataset_partitions (Scope, BillingPeriod, Dataset, LoadId, RowCount, UpdatedAt)
        VALUES (:scope, :period, :dataset, :load, :rows, :now)
        ON CONFLICT (Scope, BillingPeriod, Dataset) DO UPDATE SET
            LoadId = excluded.LoadId, RowCount = excluded.RowCount, UpdatedAt = excluded.UpdatedAt
        """

    /// The key list prices are kept under for a price sheet's scope: the EA enrollment
    /// (billing account) or the MCA billing profile, as cost rows carry it in BillingProfileId.
    package static func listPriceKey(_ scope: Scope) -> String? {
        scope.value(of: "billingProfiles") ?? (scope.kind == .billingAccount ? scope.value(of: "billingAccounts") : nil)
    }

    /// Rebuilds the list prices of `:key` and `:period` from the price sheet load `:load`:
    /// each meter's consumption price; a tiered meter's first (highest) one.
    package static let listPrices = [
        "DELETE FROM list_prices WHERE BillingProfileId = :key AND BillingPeriod = :period",
        """
        INSERT INTO list_prices (BillingProfileId, BillingPeriod, MeterId, UnitOfMeasure, UnitMultiplier, MarketPrice, UnitPrice, Currency, LoadId)
        SELECT :key, :period, MeterId, MAX(UnitOfMeasure), MAX(UnitMultiplier), MAX(MarketPrice), MAX(UnitPrice), MAX(Currency), :load
        FROM ds_price_sheet
        WHERE LoadId = :load AND MeterId IS NOT NULL AND MarketPrice IS NOT NULL
            AND (PriceType IS NULL OR PriceType = 'Consumption')
        GROUP BY MeterId
        """,
    ]
}
