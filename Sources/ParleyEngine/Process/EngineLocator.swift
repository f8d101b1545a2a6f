import Foundation

/// Finds the engine's Python: the configured path, else `engine/.venv/bin/python` in the
/// working directory or above the `parley` executable (a checkout's `.build/*/parley`).
public enum EngineLocator {
    public static let installCommand = "engine/install.sh"

    public static func python(configured: String?, fileManager: FileManager = .default) throws -> String {
        if let configured {
            guard fileManager.isExecutableFile(atPath: configured) else {
                throw EngineError.notInstalled(fix: "\(installCommand) (PARLEY_ENGINE_PYTHON=\(configured) is not executable)")
            }
            return configured
        }
        for root in candidateRoots() {
            let python = root.appendingPathComponent("engine/.venv/bin/python").path
            if fileManager.isExecutableFile(atPath: python) { return python }
        }
        throw EngineError.notInstalled(fix: "\(repositoryRoot()?.path ?? ".")/\(installCommand)")
    }

    /// The checkout holding `engine/`, for installing it.
    public static func repositoryRoot(fileManager: FileManager = .default) -> URL? {
        candidateRoots().first { fileManager.fileExists(atPath: $0.appendingPathComponent("engine/install.sh").path) }
    }

    static func candidateRoots() -> [URL] {
        var roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            roots.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        return roots
    }
}
