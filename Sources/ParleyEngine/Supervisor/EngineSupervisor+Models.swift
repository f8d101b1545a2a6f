import Foundation

/// A speech model this machine can use, as the engine's `models` method lists it.
public struct InstalledModel: Decodable, Sendable, Equatable {
    public enum Source: String, Decodable, Sendable {
        case bundled, dir, cache
    }

    public var name: String
    public var path: String?
    public var source: Source
    public var sizeBytes: Int64?
    /// "en" (English-only) or "multilingual"; nil when it cannot be told.
    public var languages: String?
    /// The cheap file check passed (only loading proves it).
    public var loads: Bool
    public var problem: String?
    public var repo: String?

    enum CodingKeys: String, CodingKey {
        case name, path, source, languages, loads, problem, repo
        case sizeBytes = "size_bytes"
    }
}

public struct ModelCatalog: Decodable, Sendable {
    public var models: [InstalledModel]
    public var cacheDir: String?
    /// Short names `models_pull` takes, with their hub repos.
    public var pullable: [String: String]

    enum CodingKeys: String, CodingKey {
        case models, pullable
        case cacheDir = "cache_dir"
    }
}

/// `models` and `models_pull` (engine/PROTOCOL.md).
extension EngineSupervisor {
    struct ModelsParameters: Encodable, Sendable {
        var dirs: [String]
    }

    struct PullParameters: Encodable, Sendable {
        var name: String
        var endpoint: String?
        var revision: String?
    }

    public func models(directories: [String] = []) async throws -> ModelCatalog {
        try await call("models", ModelsParameters(dirs: directories), returning: ModelCatalog.self)
    }

    /// Downloads `name` into the model cache and loads it once to verify it; progress is
    /// stage `download` (with bytes) then `verify`.
    public func pullModel(
        _ name: String, endpoint: String? = nil, revision: String? = nil, progress: EngineProgressHandler? = nil
    ) async throws -> InstalledModel {
        try await call(
            "models_pull", PullParameters(name: name, endpoint: endpoint, revision: revision),
            returning: InstalledModel.self, progress: progress)
    }
}
