import Foundation

/// Where the warehouse lives: `--db`, else `COSTWH_DB`, else `./costwh.sqlite`.
public enum DatabaseLocation {
    public static let defaultPath = "costwh.sqlite"

    public static func resolve(
        _ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["COSTWH_DB"], !env.isEmpty { return env }
        return defaultPath
    }
}
