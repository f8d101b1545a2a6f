/// How the engine runs Whisper. The defaults favour accuracy where a 2-core CPU allows it:
/// the `balanced` profile (beam search of 5 and the temperature fallback list,
/// faster-whisper's own accuracy-first settings); int8 keeps tiny…large-v3 inside a small
/// box's memory; VAD chunks stop Whisper hallucinating over silence and bound memory on
/// long files. A nil beam size or temperature list leaves them to the profile.
public struct TranscriptionOptions: Codable, Sendable, Equatable {
    /// A faster-whisper model name or directory; nil = the bundled offline `tiny.en`.
    public var model: String?
    public var device: String
    public var computeType: String
    public var language: String?
    public var beamSize: Int?
    public var temperature: [Double]?
    public var vadFilter: Bool
    public var initialPrompt: String?
    /// `accurate`, `balanced` or `fast` (engine/PROTOCOL.md, Profiles); nil = the engine's
    /// default, balanced. Explicit `beamSize`/`temperature` still override it.
    public var profile: String?
    /// Names and terms to spell right, passed to Whisper as hot words (at most 100).
    public var vocabulary: [String]?

    enum CodingKeys: String, CodingKey {
        case model, device, language, temperature, profile, vocabulary
        case computeType = "compute_type"
        case beamSize = "beam_size"
        case vadFilter = "vad_filter"
        case initialPrompt = "initial_prompt"
    }

    public init(
        model: String? = nil, device: String = "cpu", computeType: String = "int8", language: String? = nil,
        beamSize: Int? = nil, temperature: [Double]? = nil, vadFilter: Bool = true,
        initialPrompt: String? = nil, profile: String? = nil, vocabulary: [String]? = nil
    ) {
        self.model = model
        self.device = device
        self.computeType = computeType
        self.language = language
        self.beamSize = beamSize
        self.temperature = temperature
        self.vadFilter = vadFilter
        self.initialPrompt = initialPrompt
        self.profile = profile
        self.vocabulary = vocabulary
    }

    /// The quality profiles the engine knows; `auto` is the server's choice among them.
    public static let profiles = ["accurate", "balanced", "fast"]
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
