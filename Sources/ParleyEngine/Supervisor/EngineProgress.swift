/// Progress of one engine job: `fraction` of the audio done in `stage`.
public struct EngineProgress: Sendable, Equatable {
    public var stage: String
    public var fraction: Double
    /// Bytes done and in all, for a download (`models_pull`).
    public var bytes: Int64?
    public var totalBytes: Int64?

    public init(stage: String, fraction: Double, bytes: Int64? = nil, totalBytes: Int64? = nil) {
        self.stage = stage
        self.fraction = fraction
        self.bytes = bytes
        self.totalBytes = totalBytes
    }
}

public typealias EngineProgressHandler = @Sendable (EngineProgress) -> Void
