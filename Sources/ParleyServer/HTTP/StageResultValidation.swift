import Foundation
import ParleyAPI
import ParleyCore
import ParleyEngine
import HTTPTypes

/// Checks a remote worker's result against its stage's schema before anything is stored:
/// it must decode as the stage's result type, and its numbers must make sense (finite,
/// non-negative, each span ending after it starts). Returns the result re-encoded in one
/// canonical form, so a retried identical completion compares equal to the stored one.
enum StageResultValidation {
    static func canonical(stage: ProcessingStage, body: Data) throws -> (lease: String, seconds: Double, result: Data) {
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            switch stage {
            case .transcribe:
                let completion = try decoder.decode(WorkerReport.Completion<RecognitionResult>.self, from: body)
                try check(completion.result)
                return (completion.lease, completion.seconds, try encoder.encode(completion.result))
            case .diarize:
                let completion = try decoder.decode(WorkerReport.Completion<Diarization>.self, from: body)
                try check(completion.result)
                return (completion.lease, completion.seconds, try encoder.encode(completion.result))
            default:
                throw invalid("the \(stage.rawValue) stage does not run on workers")
            }
        } catch let failure as APIFailure {
            throw failure
        } catch {
            throw invalid("the body is not {\"lease\", \"seconds\", \"result\"} with a \(stage.rawValue) result: \(brief(error))")
        }
    }

    static func check(_ result: RecognitionResult) throws {
        guard valid(result.duration), !result.model.isEmpty else { throw invalid("duration or model is missing or invalid") }
        for (index, segment) in result.segments.enumerated() {
            guard valid(segment.start), valid(segment.end), segment.end >= segment.start else {
                throw invalid("segment \(index) has an invalid time span")
            }
        }
    }

    static func check(_ result: Diarization) throws {
        guard valid(result.duration) else { throw invalid("duration is invalid") }
        for (index, turn) in result.turns.enumerated() {
            guard valid(turn.start), valid(turn.end), turn.end >= turn.start, turn.speaker >= 0 else {
                throw invalid("turn \(index) has an invalid time span or speaker")
            }
        }
        guard result.speakers.allSatisfy({ $0.embedding.allSatisfy(\.isFinite) }) else {
            throw invalid("a voice embedding holds a value that is not a number")
        }
    }

    private static func valid(_ value: Double) -> Bool { value.isFinite && value >= 0 }

    private static func invalid(_ message: String) -> APIFailure {
        APIFailure(.unprocessableContent, code: .invalidResult, message)
    }

    private static func brief(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not valid JSON"
        }
    }
}
