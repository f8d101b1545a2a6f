/// One line from the engine. Results are kept as raw bytes and decoded by the caller,
/// who knows which type the method returns.
struct EngineEvent: Decodable, Sendable {
    enum Kind: String, Decodable, Sendable {
        case ready, progress, result, error
    }

    struct Failure: Decodable, Sendable {
        var code: String
        var message: String
        var retryable: Bool?
    }

    var id: String?
    var event: Kind
    var stage: String?
    var fraction: Double?
    /// `models_pull`'s download progress.
    var bytes: Int64?
    var totalBytes: Int64?
    var error: Failure?
    var pid: Int?
    /// `ready`'s protocol version.
    var version: String?

    enum CodingKeys: String, CodingKey {
        case id, event, stage, fraction, bytes, error, pid, version
        case totalBytes = "total_bytes"
    }
}

/// Pulls `result` out of a result line with its real type.
struct EngineResultEnvelope<Result: Decodable>: Decodable {
    var result: Result
}

/// The version of engine/PROTOCOL.md this supervisor speaks; the engine announces its own
/// in `ready` (`parley_engine.PROTOCOL_VERSION`), and a mismatch refuses to start.
public enum EngineProtocol {
    public static let version = "1"
}
