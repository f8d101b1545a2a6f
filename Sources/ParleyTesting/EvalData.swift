import Foundation

/// Locations of the shared evaluation audio (`../shared/eval` beside the checkout, or
/// `PARLEY_EVAL_DIR`).
public enum EvalData {
    public static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["PARLEY_EVAL_DIR"] {
            return URL(fileURLWithPath: configured)
        }
        return RepositoryPaths.root.deletingLastPathComponent().appendingPathComponent("shared/eval")
    }

    public static func file(_ relativePath: String) -> String {
        directory.appendingPathComponent(relativePath).path
    }
}

/// The checkout these tests were built from.
public enum RepositoryPaths {
    public static var root: URL {
        // Sources/ParleyTesting/EvalData.swift → the package root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static var enginePython: String {
        ProcessInfo.processInfo.environment["PARLEY_ENGINE_PYTHON"]
            ?? root.appendingPathComponent("engine/.venv/bin/python").path
    }
}
