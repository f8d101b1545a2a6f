import Foundation
import ParleyCore
import ParleyEngine
import ParleyStore

/// What a stage needs to do its work: the meeting, where its files live, the engine
/// (for model stages), earlier stages' results, and a way to report progress.
struct StageContext: Sendable {
    var meeting: MeetingRecord
    var dataDirectory: URL
    var engine: (any SpeechEngine)?
    var jobs: JobRepository
    var transcription: TranscriptionOptions
    /// The model the job asked for (nil = the configured default).
    var model: String? = nil
    var maxAudioSeconds: Double?
    var transcripts: TranscriptRepository
    var voiceprintStore: VoiceprintRepository
    var vocabularies: VocabularyRepository
    var summarizer: Summarizer
    var progress: @Sendable (Double) -> Void

    var layout: DataLayout { DataLayout(root: dataDirectory) }
    var meetingDirectory: URL { layout.meetingDirectory(meeting.id) }
    var originalAudio: URL { layout.url(relative: meeting.audioPath) }
    var pcmAudio: URL { layout.pcm(meeting: meeting.id) }

    /// The voices the owner taught, for naming suggestions — in personal meetings only: in a
    /// workspace meeting the owner's private names would be shown to every member (there is
    /// no shared workspace store yet).
    func voiceprints() async throws -> [(name: String, embedding: [Float])] {
        guard meeting.isPersonal else { return [] }
        return try await voiceprintStore.embeddings(ownerId: meeting.ownerId)
    }

    func requireEngine() throws -> any SpeechEngine {
        guard let engine else { throw StageFailure(message: "no speech engine for a model stage", retryable: false) }
        return engine
    }

    /// A previous stage's stored result, decoded.
    func result<Result: Decodable>(of stage: ProcessingStage, as type: Result.Type) async throws -> Result {
        guard let data = try await jobs.result(meetingId: meeting.id, stage: stage) else {
            throw StageFailure(message: "the \(stage.rawValue) result is missing; re-run that stage", retryable: false)
        }
        return try JSONDecoder().decode(Result.self, from: data)
    }
}

/// What a stage produced: its stored result and what it changes on the meeting.
struct StageOutput: Sendable {
    var result: Data
    var patch: MeetingPatch?
}

/// A stage failure phrased for the user.
struct StageFailure: Error, CustomStringConvertible {
    var message: String
    var retryable: Bool
    var description: String { message }
}
