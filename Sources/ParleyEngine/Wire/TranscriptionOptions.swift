/// How the engine runs Whisper. The defaults favour accuracy where a 2-core CPU allows it:
/// beam search of 5 and the temperature fallback list are faster-whisper's own
/// accuracy-first settings; int8 keeps tiny…large-v3 inside a small box's memory; VAD
/// chunks stop Whisper hallucinating over silence and bound memory on long files.
public struct TranscriptionOptions: Codable, Sendable, Equatable {
    /// A faster-whisper model name or directory; nil = the bundled offline `tiny.en`.
    public var model: String?
    public var device: String
    public var computeType: String
    public var language: String?
    public var beamSize: Int
    public var temperature: [Double]
    public var vadFilter: Bool
    public var initialPrompt: String?

    enum CodingKeys: String, CodingKey {
        case model, device, language, temperature
        case computeType = "compute_type"
        case beamSize = "beam_size"
        case vadFilter = "vad_filter"
        case initialPrompt = "initial_prompt"
    }

    public init(
        model: String? = nil, device: String = "cpu", computeType: String = "int8", language: String? = nil,
        beamSize: Int = 5, temperature: [Double] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], vadFilter: Bool = true,
        initialPrompt: String? = nil
    ) {
        self.model = model
        self.device = device
        self.computeType = computeType
        self.language = language
        self.beamSize = beamSize
        self.temperature = temperature
        self.vadFilter = vadFilter
        self.initialPrompt = initialPrompt
    }
}

/// Bounds on how many voices diarization may find.
public struct DiarizationOptions: Codable, Sendable, Equatable {
    public var numSpeakers: Int?
    public var minSpeakers: Int
    public var maxSpeakers: Int

    enum CodingKeys: String, CodingKey {
        case numSpeakers = "num_speakers"
        case minSpeakers = "min_speakers"
        case maxSpeakers = "max_speakers"
    }

    public init(numSpeakers: Int? = nil, minSpeakers: Int = 1, maxSpeakers: Int = 8) {
        self.numSpeakers = numSpeakers
        self.minSpeakers = minSpeakers
        self.maxSpeakers = maxSpeakers
    }
}
