import ParleyEngine
import ParleyStore

/// How one meeting is transcribed, here or on a remote worker: the server's settings, the
/// model, language and prompt the meeting asked for, its owner's and workspace's vocabulary,
/// and for the `auto` profile the one the queue can afford right now.
enum MeetingTranscription {
    static func options(
        base: TranscriptionOptions, model: String?, meetingId: String, vocabularies: VocabularyRepository, jobs: JobRepository
    ) async throws -> TranscriptionOptions {
        var options = base
        if let model { options.model = model }
        let requested = try await jobs.requestedTranscription(meetingId: meetingId)
        if let language = requested.language { options.language = language }
        if let prompt = requested.prompt { options.initialPrompt = prompt }
        let terms = try await vocabularies.terms(forMeeting: meetingId)
        if !terms.isEmpty { options.vocabulary = Array(terms.prefix(100)) }
        if options.profile == AutoProfile.name {
            options.profile = AutoProfile.choose(waiting: try await jobs.waitingEngineJobs())
        }
        return options
    }
}

/// The `auto` quality profile (the seed's "adaptive Whisper configuration"): the most
/// accurate profile the queue can afford. With no other model job waiting a meeting gets
/// `accurate`; with a few behind it, `balanced`; with a backlog, `fast` (about half the CPU
/// of balanced, see bench/profiles.py), so a long queue drains instead of growing. The
/// profile used is recorded on the transcript.
enum AutoProfile {
    static let name = "auto"

    static func choose(waiting: Int) -> String {
        switch waiting {
        case ...0: "accurate"
        case 1...3: "balanced"
        default: "fast"
        }
    }
}
