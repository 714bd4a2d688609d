// swift-tools-version:6.1
import PackageDescription

// The layout follows the pipeline: model → bytes → formats (Parquet) → transform → load (the
// engine-neutral seam) → the engines (SQLite, PostgreSQL) and query, with extract (HTTP,
// sign-in, the Azure clients) beside bytes, `pipeline` wiring the stages together and
// `costwh` a thin CLI over it. docs/ARCHITECTURE.md draws the graph.
// Every module is built with Swift's checks on (bounds, overflow, exclusivity): Bytes and
// Transform parse files from anywhere and blobs from the network, and with -Ounchecked a
// malformed input could read or write outside a buffer in the release binary. The cost was
// measured paired against the unchecked build (docs/PERFORMANCE.md, round three).
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "costwh",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "costwh", targets: ["costwh"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // glibc's malloc.h (mallopt), for the executable's allocator setting.
        .systemLibrary(name: "CMalloc"),
        // sqlite3_config (variadic) for one setting, made before SQLite initialises.
        .systemLibrary(name: "CSQLiteConfig"),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        .target(name: "CostwhModel", swiftSettings: strict),
        // Bytes in: the ByteSource protocol, files, gzip, hashing. No networking here, so the
        // parser, the loader and the engines never import or link NIO (their test targets do,
        // through CostwhTestSupport, which holds the emulator).
        .target(name: "CostwhBytes", dependencies: ["CZlib"], swiftSettings: strict),
        // Parquet files in: the footer, pages, codecs and encodings, read with every length and
        // offset checked (bounds checks on: these bytes come from anywhere), as CSV text.
        .target(
            name: "CostwhParquet", dependencies: ["CostwhBytes", "CZlib", "CSnappy", "CZstd", "CLZ4"],
            swiftSettings: strict),
        // Deterministic synthetic cost data: for the emulator, the demo and the benchmark.
        .target(name: "CostwhSynthetic", dependencies: ["CostwhModel"], swiftSettings: strict),
        .target(
            name: "CostwhExtract",
            dependencies: [
                "CostwhModel", "CostwhBytes",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // A local stand-in for Azure: Cost Details, the older APIs, sign-in and blob links.
        .target(
            name: "CostwhEmulator",
            dependencies: [
                "CostwhModel", "CostwhSynthetic", "CostwhParquet", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "CostwhTransform",
            dependencies: ["CostwhModel", "CostwhBytes", "CostwhParquet"],
            swiftSettings: strict),
        // The store seam and the loader, engine-neutral: `CostStore`/`StoreReading`, the
        // partition loader and its batches, the ledger's and summaries' statements. No engine
        // is imported or linked here.
        .target(
            name: "CostwhLoad",
            dependencies: [
                "CostwhModel", "CostwhBytes", "CostwhTransform",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The SQLite store behind the seam (GRDB): the warehouse file, its migrations, the
        // fact writer, the ledger's SQLite half and the ad-hoc sandbox.
        .target(
            name: "CostwhSQLite",
            dependencies: [
                "CostwhModel", "CostwhBytes", "CostwhTransform", "CostwhLoad",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedSQLPlugin"]),
        // The PostgreSQL store behind the same seam: COPY per load into a table of its own,
        // attached as a partition in one short transaction.
        .target(
            name: "CostwhPostgres",
            dependencies: [
                "CostwhModel", "CostwhBytes", "CostwhTransform", "CostwhLoad",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedSQLPlugin"]),
        .target(
            name: "CostwhQuery",
            dependencies: [
                "CostwhModel", "CostwhTransform", "CostwhLoad",
            ],
            exclude: ["SQL"],
            swiftSettings: strict,
            plugins: ["EmbedSQLPlugin"]),
        // The MCP server for AI assistants: tools, resources and prompts over the read side of
        // the store (`StoreReading`, `AdHocReading`), never the write side.
        .target(
            name: "CostwhMCP",
            dependencies: [
                "CostwhModel", "CostwhLoad", "CostwhQuery",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "CostwhPipeline",
            dependencies: [
                "CostwhModel", "CostwhBytes", "CostwhExtract", "CostwhTransform", "CostwhLoad", "CostwhSQLite",
                "CostwhPostgres", "CostwhQuery", "CostwhParquet",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "costwh",
            dependencies: [
                "CostwhPipeline", "CostwhModel", "CostwhBytes", "CostwhExtract", "CostwhTransform", "CostwhLoad",
                "CostwhQuery", "CostwhEmulator", "CostwhMCP", "CostwhParquet", "CMalloc", "CSQLiteConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Build-time helper: turns migrations/*.sql and the canned queries into
        // Swift string constants, so an installed binary needs nothing beside it.
        .executableTarget(name: "costwh-embed-sql", swiftSettings: strict),
        // The performance benchmark's named figures (docs/PERFORMANCE.md), and the small
        // executable over them: swift build -c release --product costwh-bench.
        .target(
            name: "CostwhBench",
            dependencies: ["CostwhSynthetic", "CostwhTransform", "CostwhBytes", "CostwhModel"],
            swiftSettings: strict),
        .executableTarget(name: "costwh-bench", dependencies: ["CostwhBench"], swiftSettings: strict),
        // Replays fuzz inputs through the reader and normalisers (see docs/RELIABILITY.md).
        .executableTarget(
            name: "costwh-fuzz", dependencies: ["CostwhTransform", "CostwhBytes"], swiftSettings: strict),
        .plugin(name: "EmbedSQLPlugin", capability: .buildTool(), dependencies: ["costwh-embed-sql"]),
        // Helpers the test targets share: temporary folders, fixtures, the emulator, the built binary.
        .target(
            name: "CostwhTestSupport",
            dependencies: [
                "CostwhModel", "CostwhBytes", "CostwhExtract", "CostwhTransform", "CostwhLoad", "CostwhPostgres",
                "CostwhPipeline", "CostwhEmulator", "CostwhSynthetic", "CostwhSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CostwhTestSupport",
            swiftSettings: strict),
        .testTarget(name: "CostwhBytesTests", dependencies: ["CostwhBytes"], swiftSettings: strict),
        .testTarget(
            name: "CostwhParquetTests",
            dependencies: ["CostwhParquet", "CostwhBytes", "CostwhSynthetic", "CostwhTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "CostwhQueryTests",
            dependencies: [
                "CostwhQuery", "CostwhPipeline", "CostwhLoad", "CostwhSQLite", "CostwhModel", "CostwhTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CostwhPipelineTests",
            dependencies: [
                "CostwhPipeline", "CostwhBytes", "CostwhLoad", "CostwhSQLite", "CostwhExtract", "CostwhTransform", "CostwhSynthetic", "CostwhModel",
                "CostwhEmulator", "CostwhParquet",
                "CostwhTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        // The CLI's tests run the built binary; depending on it makes `swift test` build it.
        .testTarget(
            name: "CostwhCLITests",
            dependencies: [
                "costwh", "CostwhEmulator", "CostwhExtract", "CostwhPipeline", "CostwhLoad", "CostwhSQLite", "CostwhModel",
                "CostwhTransform", "CostwhTestSupport", "CostwhSynthetic", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CostwhExtractTests",
            dependencies: [
                "CostwhExtract", "CostwhBytes", "CostwhEmulator", "CostwhPipeline", "CostwhLoad", "CostwhSQLite", "CostwhModel",
                "CostwhQuery", "CostwhSynthetic", "CostwhTestSupport", "costwh",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CostwhMCPTests",
            dependencies: [
                "CostwhMCP", "CostwhLoad", "CostwhSQLite", "CostwhTestSupport", .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strict),
        .testTarget(name: "CostwhModelTests", dependencies: ["CostwhModel"], swiftSettings: strict),
        .testTarget(name: "CostwhBenchTests", dependencies: ["CostwhBench"], swiftSettings: strict),
        // The PostgreSQL store against a real server (skipped with a message without one).
        .testTarget(
            name: "CostwhPostgresTests",
            dependencies: [
                "CostwhPostgres", "CostwhLoad", "CostwhSQLite", "CostwhPipeline", "CostwhQuery", "CostwhModel", "CostwhTestSupport",
                "CostwhSynthetic", "costwh",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CostwhTransformTests",
            dependencies: ["CostwhTransform", "CostwhParquet", "CostwhBytes", "CostwhModel"],
            swiftSettings: strict),
        // The loader and the SQLite engine, in process: no executable is built or run.
        .testTarget(
            name: "CostwhSQLiteTests",
            dependencies: [
                "CostwhLoad", "CostwhSQLite", "CostwhQuery", "CostwhTransform", "CostwhModel", "CostwhBytes",
                "CostwhSynthetic", "CostwhTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
    ]
)
