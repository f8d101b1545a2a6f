import Foundation
import ParleyCore

/// The engine's methods with their real types (engine/PROTOCOL.md).
extension EngineSupervisor {
    public func transcribe(
        audio path: String, options: TranscriptionOptions = .init(), progress: EngineProgressHandler? = nil
    ) async throws -> RecognitionResult {
        try await call(
            "transcribe", AudioParameters(audio: path, options: options), returning: RecognitionResult.self,
            progress: progress)
    }

    public func diarize(
        audio path: String, options: DiarizationOptions = .init(), progress: EngineProgressHandler? = nil
    ) async throws -> Diarization {
        try await call(
            "diarize", AudioParameters(audio: path, options: options), returning: Diarization.self,
            progress: progress)
    }

    /// Decodes any common format to 16 kHz mono WAV at `output`.
    /// Decodes `input` to 16 kHz mono PCM at `output`; audio longer than `maxSeconds` is
    /// refused before (or while) decoding, so a small file cannot expand into gigabytes.
    public func decode(input: String, output: String, maxSeconds: Double? = nil) async throws -> DecodedAudio {
        try await call("decode", DecodeParameters(input: input, output: output, maxSeconds: maxSeconds), returning: DecodedAudio.self)
    }

    /// Offline meeting intelligence over attributed segments.
    public func summarize(
        segments: [TranscriptionSegment], maxSentences: Int = 5, progress: EngineProgressHandler? = nil
    ) async throws -> MeetingInsights {
        let lines = segments.map { SummarizeParameters.Line(start: $0.start, end: $0.end, text: $0.text, speakerID: $0.speakerLabel) }
        return try await call(
            "summarize", SummarizeParameters(segments: lines, maxSentences: maxSentences),
            returning: MeetingInsights.self, progress: progress)
    }

    public func ping() async throws {
        _ = try await call("ping", NoParameters(), returning: NoParameters.self)
    }
}

/// Sentence vectors from the engine's `embed` method (all-MiniLM-L6-v2, unit length).
public struct TextEmbeddings: Sendable, Equatable {
    public var model: String
    public var vectors: [[Float]]

    public init(model: String, vectors: [[Float]]) {
        self.model = model
        self.vectors = vectors
    }
}

extension EngineSupervisor {
    struct EmbedParameters: Encodable, Sendable {
        var texts: [String]
    }

    struct EmbedResult: Decodable, Sendable {
        var model: String
        var dim: Int
        var encoding: String
        var vectors: [String]
    }

    /// Vectors for `texts` (at most 1024 per call). They travel as base64 of little-endian
    /// float16, 768 bytes a text instead of ~8 KB of JSON numbers.
    public func embed(_ texts: [String]) async throws -> TextEmbeddings {
        let result = try await call("embed", EmbedParameters(texts: texts), returning: EmbedResult.self)
        guard result.encoding == "base64-float16le", result.vectors.count == texts.count else {
            throw EngineError.protocolViolation(detail: "embed answered \(result.vectors.count) vectors as \(result.encoding)")
        }
        let vectors = try result.vectors.map { text -> [Float] in
            guard let data = Data(base64Encoded: text), data.count == result.dim * 2 else {
                throw EngineError.protocolViolation(detail: "embed sent a vector that is not \(result.dim) float16 values")
            }
            return VectorCoding.floats(fromFloat16: data)
        }
        return TextEmbeddings(model: result.model, vectors: vectors)
    }
}

/// Float16 little-endian bytes <-> Float, for vectors on the wire and in the database.
public enum VectorCoding {
    public static func floats(fromFloat16 data: Data) -> [Float] {
        data.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map {
                Float(Float16(bitPattern: UInt16(littleEndian: raw.load(fromByteOffset: $0 * 2, as: UInt16.self))))
            }
        }
    }

    public static func float16Data(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 2)
        for value in vector {
            withUnsafeBytes(of: Float16(value).bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }
}
