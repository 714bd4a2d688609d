import ArgumentParser

import CSQLiteConfig

#if canImport(CMalloc) && os(Linux)
import CMalloc
#endif

@main
struct Costwh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costwh",
        abstract: "A local SQLite warehouse of Azure cost details.",
        discussion: """
            Exit codes: 0 success; 1 the work failed; 2 some partitions failed; 64 usage error; \
            75 another costwh job holds the database; 130 interrupted (SIGINT/SIGTERM), the partition keeps its previous data.
            """,
        subcommands: [
            DemoCommand.self, IngestCommand.self, ReloadCommand.self, BackfillCommand.self, LoadCommand.self,
            QueryCommand.self, ChangesCommand.self,
            VerifyCommand.self, ReportCommand.self,
            RunsCommand.self, DoctorCommand.self, MigrateCommand.self, CopyCommand.self, EmulateCommand.self,
            MCPCommand.self, ExportCommand.self,
        ])

    static func main() async {
        returnLargeBuffersToTheSystem()
        // SQLite's memory statistics take a global mutex on every allocation, which the
        // loader's writer thread makes millions of; costwh reads none of them.
        _ = costwh_sqlite_without_memory_statistics()
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// glibc raises its mmap threshold each time a large block is freed, so that the loaders'
    /// page-sized buffers (a Parquet column's page, a batch's text) come to live in the heap
    /// and stay in the process's memory after they are freed: 10 MB more at peak for a
    /// one-row-group Parquet file. A fixed threshold keeps them mapped and returned on free.
    private static func returnLargeBuffersToTheSystem() {
        #if canImport(CMalloc) && os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 10)
        #endif
    }
}
