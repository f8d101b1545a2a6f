/// Progress of one engine job: `fraction` of the audio done in `stage`.
public struct EngineProgress: Sendable, Equatable {
    public var stage: String
    public var fraction: Double

    public init(stage: String, fraction: Double) {
        self.stage = stage
        self.fraction = fraction
    }
}

public typealias EngineProgressHandler = @Sendable (EngineProgress) -> Void
