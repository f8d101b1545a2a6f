import Foundation
import ParleyCore
import ParleyEngine

/// Produces a meeting's insights: offline (extractive, in the engine) always, and through
/// an OpenAI-compatible chat model when one is configured — falling back to the offline
/// result, with the reason recorded, whenever the model's answer is unusable.
public struct Summarizer: Sendable {
    public let llm: LLMSummarizer?

    public init(llm: LLMSummarizer?) {
        self.llm = llm
    }

    /// Without an engine (a server with `--no-local-workers`) there is no offline summary:
    /// the chat model's, when one is configured, or none.
    func insights(
        for transcript: Transcript, engine: (any SpeechEngine)?, progress: @escaping @Sendable (Double) -> Void
    ) async throws -> MeetingInsights? {
        guard let engine else {
            guard let llm, !transcript.segments.isEmpty else { return nil }
            var result = try await llm.summarize(transcript, progress: progress)
            result.source = "llm:\(llm.configuration.model)"
            return result
        }
        var offline = try await engine.summarize(segments: transcript.segments, maxSentences: 5) {
            progress($0.fraction * (llm == nil ? 1 : 0.3))
        }
        offline.source = "offline"
        for index in offline.speakers.indices {
            offline.speakers[index].talkingTimePercentage = transcript.speaker(offline.speakers[index].speakerID)?.talkingTimePercentage
        }
        guard let llm, !transcript.segments.isEmpty else { return offline }
        do {
            var result = try await llm.summarize(transcript) { progress(0.3 + 0.7 * $0) }
            result.source = "llm:\(llm.configuration.model)"
            result.speakers = offline.speakers.map { speaker in
                var merged = speaker
                if let fromModel = result.speakers.first(where: { $0.speakerID == speaker.speakerID }) {
                    merged.keyTopics = fromModel.keyTopics.isEmpty ? speaker.keyTopics : fromModel.keyTopics
                    merged.actionItems = fromModel.actionItems
                }
                return merged
            }
            return result
        } catch {
            offline.fallbackReason = "LLM summary failed, offline summary used: \(error)"
            return offline
        }
    }
}
