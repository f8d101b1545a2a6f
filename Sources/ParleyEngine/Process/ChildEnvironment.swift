import Foundation

/// The environment a child process (the engine, ffmpeg) gets: the server's own variables
/// minus everything that is not about running that child. The server's environment holds
/// secrets (`PARLEY_LLM_KEY`, tokens in a deployment's env file) that a decoder or a model
/// library has no use for and could leak in a crash report or a log line.
public enum ChildEnvironment {
    /// Variables passed by exact name.
    static let names: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "LD_LIBRARY_PATH",
        "SSL_CERT_FILE", "CUDA_VISIBLE_DEVICES", "XDG_CACHE_HOME",
    ]
    /// Variables passed by prefix: the engine's own settings and its libraries' knobs
    /// (CTranslate2's ISA choice, thread pools, offline model caches).
    static let prefixes = ["PARLEY_ENGINE_", "CT2_", "OMP_", "OPENBLAS_", "MKL_", "HF_", "PYTHON"]

    public static func minimal(
        from environment: [String: String] = ProcessInfo.processInfo.environment, adding extra: [String: String] = [:]
    ) -> [String: String] {
        var kept = environment.filter { name, _ in names.contains(name) || prefixes.contains { name.hasPrefix($0) } }
        if kept["PATH"] == nil { kept["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return kept.merging(extra) { _, new in new }
    }
}
