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
            "CostwhModel", "CostwhBytes", "CostwhTransform", "CostwhLoad", "CostwhQuery", "CostwhBench", "costwh-bench",
            "costwh-fuzz",
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

    /// The storage seam: only the SQLite engine speaks to SQLite; everything above it goes
    /// through `CostStore`, so a second store stands behind the same pipeline.
    @Test func onlyTheSQLiteModuleUsesGRDB() throws {
        for (target, modules) in try ModuleGraphTests.imports() where target.hasPrefix("Costwh") || target == "costwh" {
            if target == "CostwhSQLite" { continue }
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
        #expect(
            imports.isSubset(of: ["CostwhModel", "CostwhLoad", "CostwhQuery", "MCP", "Logging", "Foundation"]),
            "\(imports.sorted())")
        let folder = ModuleGraphTests.root.appendingPathComponent("Sources/CostwhMCP")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for writer in ["CostStore", "CostDatabase", "BatchWriter", "DatasetWriter", "replacePartition", "migrate("]
            {
                #expect(!text.contains(writer), "\(file) names the write side: \(writer)")
            }
        }
    }

    /// Stages only import earlier stages: model → bytes → transform → load/store → query → pipeline.
    @Test func stagesPointOneWay() throws {
        let order = [
            "CostwhModel", "CostwhBytes", "CostwhParquet", "CostwhTransform", "CostwhLoad", "CostwhSQLite",
            "CostwhPostgres", "CostwhQuery", "CostwhMCP", "CostwhPipeline",
        ]
        let graph = try ModuleGraphTests.imports()
        for (i, target) in order.enumerated() {
            let later = Set(order[(i + 1)...])
            #expect(
                graph[target, default: []].isDisjoint(with: later),
                "\(target) imports a later stage: \(graph[target, default: []].intersection(later).sorted())")
        }
    }

    /// What links what, from Package.swift: one engine per module. The seam and the loader
    /// (`CostwhLoad`) link no engine; the queries, the MCP server and the PostgreSQL store do
    /// not link the SQLite engine (nor GRDB through it), and no store links the other.
    @Test func enginesAreLinkedOnlyWhereTheyAreUsed() throws {
        let closure = try ModuleGraphTests.linked()
        let sqlite: Set<String> = ["CostwhSQLite", "GRDB", "GRDBSQLite"]
        let postgres: Set<String> = ["CostwhPostgres", "PostgresNIO"]
        #expect(
            closure["CostwhLoad", default: []].isDisjoint(with: sqlite.union(postgres)),
            "\(closure["CostwhLoad", default: []].sorted())")
        for target in ["CostwhPostgres", "CostwhQuery", "CostwhMCP"] {
            let linked = try #require(closure[target], "Package.swift has no target \(target)")
            #expect(linked.isDisjoint(with: sqlite), "\(target) links \(linked.intersection(sqlite).sorted())")
        }
        for target in ["CostwhSQLite", "CostwhQuery", "CostwhMCP"] {
            let linked = try #require(closure[target], "Package.swift has no target \(target)")
            #expect(linked.isDisjoint(with: postgres), "\(target) links \(linked.intersection(postgres).sorted())")
        }
        // The executable links both engines, through the pipeline.
        #expect(closure["costwh", default: []].isSuperset(of: ["CostwhSQLite", "CostwhPostgres"]))
    }

    /// Target → every target and product it links, directly or through others (Package.swift).
    static func linked() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var direct: [String: Set<String>] = [:]
        // Each target declaration: its name, then its dependencies list up to the closing bracket.
        let declarations = manifest.components(separatedBy: "arget(").dropFirst()
        for declaration in declarations {
            guard let nameStart = declaration.range(of: "name: \""),
                let nameEnd = declaration[nameStart.upperBound...].firstIndex(of: "\"")
            else { continue }
            let name = String(declaration[nameStart.upperBound..<nameEnd])
            var names: Set<String> = []
            if let list = declaration.range(of: "dependencies: [") {
                var depth = 1
                var index = list.upperBound
                while index < declaration.endIndex && depth > 0 {
                    if declaration[index] == "[" { depth += 1 }
                    if declaration[index] == "]" { depth -= 1 }
                    index = declaration.index(after: index)
                }
                let body = declaration[list.upperBound..<index]
                // Quoted names: targets, and products as `.product(name: "X", package: "…")`.
                var rest = body[...]
                while let open = rest.firstIndex(of: "\"") {
                    let after = rest.index(after: open)
                    guard let close = rest[after...].firstIndex(of: "\"") else { break }
                    let word = String(rest[after..<close])
                    let before = rest[..<open]
                    if !before.hasSuffix("package: ") { names.insert(word) }
                    rest = rest[rest.index(after: close)...]
                }
            }
            direct[name] = names
        }
        var closure: [String: Set<String>] = [:]
        func reach(_ target: String, _ seen: inout Set<String>) {
            for next in direct[target, default: []] where seen.insert(next).inserted { reach(next, &seen) }
        }
        for target in direct.keys {
            var seen: Set<String> = []
            reach(target, &seen)
            closure[target] = seen
        }
        return closure
    }

    /// Every project module or package product a target imports is named in its Package.swift entry.
    @Test func everyImportIsDeclared() throws {
        let manifest = try String(
            contentsOf: ModuleGraphTests.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let checked: Set<String> = [
            "CostwhModel", "CostwhBytes", "CostwhExtract", "CostwhTransform", "CostwhLoad", "CostwhQuery",
            "CostwhPipeline", "CostwhSQLite", "CostwhParquet", "CostwhBench", "CostwhSynthetic",
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
