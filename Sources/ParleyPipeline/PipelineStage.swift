/// The steps `parley transcribe` (and later each server job) goes through, with the share
/// of the total time each one typically takes, so overall progress moves evenly.
public enum PipelineStage: String, Sendable, CaseIterable, Codable {
    case decode, transcribe, diarize, attribute

    var weight: Double {
        switch self {
        case .decode: 0.05
        case .transcribe: 0.8
        case .diarize: 0.14
        case .attribute: 0.01
        }
    }
}

/// Progress of a pipeline run: `fraction` within `stage`, `overall` across all stages.
public struct PipelineProgress: Sendable, Equatable {
    public var stage: PipelineStage
    public var fraction: Double
    public var overall: Double
}

public typealias PipelineProgressHandler = @Sendable (PipelineProgress) -> Void
