import Foundation
import Testing

/// The module graph points one way (docs/ARCHITECTURE.md): the parser and the loader never
/// link networking, no library links the emulator, and every import is declared in
/// Package.swift. Read from the sources, so a sideways edge fails here before review.
@Suite struct ModuleGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Target folder → the modules its Swift files import.
    static func imports() throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        let sources = root.appendingPathComponent("Sources")
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) {
            var modules: Set<String> = []
            let enumerator = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path)
            while let file = enumerator?.nextObject() as? String {
                guard file.hasSuffix(".swift") else { continue }
                let text = try String(
                    contentsOf: sources.appendingPathComponent(target).appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    if let i = words.firstIndex(of: "import"), i + 1 < words.count,
                        words[..<i].allSatisfy({ $0.hasPrefix("@") || $0 == "package" || $0 == "public" })
                    {
                        modules.insert(String(words[i + 1]))
                    }
                }
            }
            out[target] = modules
        }
        return out
    }

    static let networking: Set<String> = [
        "NIOCore", "NIOPosix", "NIOHTTP1", "NIOSSL", "AsyncHTTPClient", "CostwhExtract",
    ]

    @Test func theParserAndTheLoaderLinkNoNetworking() throws {
        let graph = try ModuleGraphTests.imports()
        for target in [
            "CostwhModel", "CostwhBytes", "CostwhTransform", "CostwhLoad", "CostwhQuery", "costwh-bench", "costwh-fuzz",
        ] {
            let found = try #require(graph[target], "no Sources/\(target)")
            #expect(
                found.isDisjoint(with: ModuleGraphTests.networking),
                "\(target) imports \(found.intersection(ModuleGraphTests.networking).sorted())")
        }
    }

    @Test func noLibraryImportsTheEmulator() throws {
        for (target, modules) in try ModuleGraphTests.imports() where target.hasPrefix("Costwh") {
            #expect(!modules.contains("CostwhEmulator"), "\(target) imports the emulator")
        }
    }

    /// The storage seam: only the store module speaks to SQLite; everything above it goes
    /// through `CostStore`, so a second store can stand behind the same pipeline.
    @Test func onlyTheStoreModuleUsesGRDB() throws {
        for (target, modules) in try ModuleGraphTests.imports() where target.hasPrefix("Costwh") || target == "costwh" {
            if target == "CostwhLoad" { continue }
            #expect(!modules.contains("GRDB") && !modules.contains("GRDBSQLite"), "\(target) imports GRDB")
        }
    }

    /// Only the PostgreSQL store speaks to PostgreSQL; the queries above it stay engine-neutral.
    @Test func onlyThePostgresStoreUsesPostgresNIO() throws {
        for (target, modules) in try ModuleGraphTests.imports() where target.hasPrefix("Costwh") || target == "costwh" {
            if target == "CostwhPostgres" { continue }
            #expect(!modules.contains("PostgresNIO"), "\(target) imports PostgresNIO")
        }
        let query = try ModuleGraphTests.imports()["CostwhQuery", default: []]
        #expect(query.isDisjoint(with: ["GRDB", "PostgresNIO", "CostwhPostgres"]), "the queries name an engine")
    }

    /// The MCP server holds the read side only: no engine, no pipeline, no networking of its
    /// own, and none of the write side's types (it is handed a `StoreReading` and an
    /// `AdHocReading`, both opened read-only).
    @Test func theMCPServerSeesOnlyTheReadSide() throws {
        let imports = try ModuleGraphTests.imports()["CostwhMCP", default: []]
        #expect(imports.isSubset(of: ["CostwhModel", "CostwhLoad", "CostwhQuery", "MCP", "Logging", "Foundation"]), "\(imports.sorted())")
        let folder = ModuleGraphTests.root.appendingPathComponent("Sources/CostwhMCP")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for writer in ["CostStore", "CostDatabase", "BatchWriter", "DatasetWriter", "replacePartition", "migrate("] {
                #expect(!text.contains(writer), "\(file) names the write side: \(writer)")
            }
        }
    }

    /// Stages only import earlier stages: model → bytes → transform → load/store → query → pipeline.
    @Test func stagesPointOneWay() throws {
        let order = [
            "CostwhModel", "CostwhBytes", "CostwhTransform", "CostwhLoad", "CostwhPostgres", "CostwhQuery",
            "CostwhMCP", "CostwhPipeline",
        ]
        let graph = try ModuleGraphTests.imports()
        for (i, target) in order.enumerated() {
            let later = Set(order[(i + 1)...])
            #expect(
                graph[target, default: []].isDisjoint(with: later),
                "\(target) imports a later stage: \(graph[target, default: []].intersection(later).sorted())")
        }
    }

    /// Every project module or package product a target imports is named in its Package.swift entry.
    @Test func everyImportIsDeclared() throws {
        let manifest = try String(
            contentsOf: ModuleGraphTests.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let checked: Set<String> = [
            "CostwhModel", "CostwhBytes", "CostwhExtract", "CostwhTransform", "CostwhLoad", "CostwhQuery",
            "CostwhPipeline",
            "CostwhEmulator", "CostwhSynthetic", "GRDB", "GRDBSQLite", "Logging", "ArgumentParser", "AsyncHTTPClient",
            "NIOCore", "NIOPosix", "NIOHTTP1", "NIOSSL", "CZlib", "CostwhPostgres", "PostgresNIO", "CostwhMCP", "MCP",
        ]
        for (target, modules) in try ModuleGraphTests.imports() {
            // The entry of a target (not the package or a product of the same name).
            var found: Range<String.Index>?
            var from = manifest.startIndex
            while let hit = manifest.range(of: "name: \"\(target)\"", range: from..<manifest.endIndex) {
                let lower =
                    manifest.index(hit.lowerBound, offsetBy: -40, limitedBy: manifest.startIndex) ?? manifest.startIndex
                let before: Substring = manifest[lower..<hit.lowerBound]
                if before.contains("arget(") || before.contains("systemLibrary(") {
                    found = hit
                    break
                }
                from = hit.upperBound
            }
            guard let start = found else {
                Issue.record("Package.swift has no target \(target)")
                continue
            }
            // The target's entry runs to the next target declaration.
            let rest = manifest[start.upperBound...]
            let end =
                rest.range(of: ".target(") ?? rest.range(of: ".executableTarget(") ?? rest.range(of: ".testTarget(")
            let entry = rest[..<(end?.lowerBound ?? rest.endIndex)]
            for module in modules.intersection(checked) where module != target {
                #expect(entry.contains("\"\(module)\""), "\(target) imports \(module) without declaring it")
            }
        }
    }
}
