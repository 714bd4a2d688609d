import ArgumentParser

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
}
