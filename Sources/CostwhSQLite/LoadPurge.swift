import CostwhLoad
import GRDB

/// Deletes the rows of a load that no partition points at any more: its facts (a rowid
/// range) and its summaries, and marks it purged in the ledger. The one home of this SQL, for
/// the reload that replaces a partition and for the clean-up of loads replaced earlier.
enum LoadPurge {
    static func purge(_ db: Database, loadId: DatabaseValue, firstRowId: DatabaseValue, lastRowId: DatabaseValue) throws
    {
        try db.execute(sql: "DELETE FROM cost_fact WHERE rowid BETWEEN ? AND ?", arguments: [firstRowId, lastRowId])
        try db.execute(sql: "DELETE FROM summary_daily WHERE LoadId = ?", arguments: [loadId])
        try db.execute(sql: "DELETE FROM summary_resource WHERE LoadId = ?", arguments: [loadId])
        try db.execute(named: Ledger.purgedSQL, ["now": .text(Ledger.now()), "load": loadId.storeValue])
    }
}
