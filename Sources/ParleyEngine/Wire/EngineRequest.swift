/// A request line to the engine: `{"id", "method", "params"}` (see engine/PROTOCOL.md).
struct EngineRequest<Parameters: Encodable & Sendable>: Encodable, Sendable {
    var id: String
    var method: String
    var params: Parameters
}

/// Methods without parameters.
struct NoParameters: Codable, Sendable {}
