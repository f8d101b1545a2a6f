import ParleyCore

/// What `transcribe` returns: recognised segments, no speakers yet.
public struct RecognitionResult: Codable, Sendable, Equatable {
    public var duration: Double
    public var language: String?
    public var model: String
    /// The profile the engine used, and anything it wants said (vocabulary terms left out,
    /// `fast` run unbatched); absent from engines before profiles.
    public var profile: String?
    public var warnings: [String]?
    public var segments: [RecognizedSegment]

    public init(duration: Double, language: String?, model: String, segments: [RecognizedSegment]) {
        self.duration = duration
        self.language = language
        self.model = model
        self.segments = segments
    }
}

/// What `decode` returns: the source stream's properties (the output is 16 kHz mono WAV).
public struct DecodedAudio: Codable, Sendable, Equatable {
    public var duration: Double
    public var codec: String?
    public var sampleRate: Int?
    public var channels: Int?

    public init(duration: Double, codec: String?, sampleRate: Int?, channels: Int?) {
        self.duration = duration
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
    }

    enum CodingKeys: String, CodingKey {
        case duration, codec, channels
        case sampleRate = "sample_rate"
    }
}

/// Parameters of the audio-carrying methods.
struct AudioParameters<Options: Encodable & Sendable>: Encodable, Sendable {
    var audio: String
    var options: Options

    func encode(to encoder: any Encoder) throws {
        // Options are flattened next to `audio`, as engine/PROTOCOL.md specifies.
        try options.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(audio, forKey: .audio)
    }

    private enum Key: String, CodingKey { case audio }
}

struct DecodeParameters: Encodable, Sendable {
    var input: String
    var output: String
    /// Refuse audio longer than this (`bad_audio` "too long"), checked from the container's
    /// header and again while decoding; nil = no limit.
    var maxSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case input, output
        case maxSeconds = "max_seconds"
    }
}

struct SummarizeParameters: Encodable, Sendable {
    struct Line: Encodable, Sendable {
        var start: Double
        var end: Double
        var text: String
        var speakerID: String

        enum CodingKeys: String, CodingKey {
            case start, end, text
            case speakerID = "speaker_id"
        }
    }

    var segments: [Line]
    var maxSentences: Int

    enum CodingKeys: String, CodingKey {
        case segments
        case maxSentences = "max_sentences"
    }
}
