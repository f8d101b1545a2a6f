import Foundation
import ParleyAPI
import ParleyCore
import ParleyEngine
import ParleyPipeline
import ParleyStore

/// Runs one stage of one meeting. Model stages call the engine; the rest are cheap.
enum StageRunner {
    static func run(_ stage: ProcessingStage, context: StageContext) async throws -> StageOutput {
        switch stage {
        case .normalize: try await normalize(context)
        case .transcribe: try await transcribe(context)
        case .diarize: try await diarize(context)
        case .summarize: try await summarize(context)
        case .index: try await index(context)
        }
    }

    /// Decode once to 16 kHz mono PCM for the models, and keep a browser-safe copy for
    /// playback (some browsers play uploaded formats silently).
    static func normalize(_ context: StageContext) async throws -> StageOutput {
        let engine = try context.requireEngine()
        try FileManager.default.createDirectory(at: context.meetingDirectory, withIntermediateDirectories: true)
        let decoded = try await engine.decode(input: context.originalAudio.path, output: context.pcmAudio.path)
        context.progress(0.5)
        let playback = context.meetingDirectory.appendingPathComponent("playback.mp3")
        try await PlaybackTranscoder.transcode(input: context.originalAudio, output: playback)
        var patch = MeetingPatch()
        patch.duration = decoded.duration
        patch.codec = decoded.codec
        patch.sampleRate = decoded.sampleRate
        patch.channels = decoded.channels
        patch.playbackPath = "audio/\(context.meeting.id)/playback.mp3"
        return StageOutput(result: try JSONEncoder().encode(decoded), patch: patch)
    }

    static func transcribe(_ context: StageContext) async throws -> StageOutput {
        let result = try await context.requireEngine().transcribe(
            audio: context.pcmAudio.path, options: context.transcription
        ) { context.progress($0.fraction) }
        return StageOutput(result: try JSONEncoder().encode(result), patch: nil)
    }

    static func diarize(_ context: StageContext) async throws -> StageOutput {
        let result = try await context.requireEngine().diarize(audio: context.pcmAudio.path) { context.progress($0.fraction) }
        return StageOutput(result: try JSONEncoder().encode(result), patch: nil)
    }

    /// Joins words and voices into the transcript. (The intelligence features will add a
    /// real summary here; for now the preview is the opening of the conversation.)
    static func summarize(_ context: StageContext) async throws -> StageOutput {
        let recognition = try await context.result(of: .transcribe, as: RecognitionResult.self)
        let diarization = try await context.result(of: .diarize, as: Diarization.self)
        let attributed = SpeakerAttribution.attribute(recognition.segments, diarization: diarization)
        let transcript = Transcript(
            duration: recognition.duration, language: recognition.language, model: recognition.model,
            segments: attributed.segments, speakers: attributed.speakers, speakerTurns: attributed.turns)
        var patch = MeetingPatch()
        let previews = transcript.speakers.map {
            MeetingSummary.SpeakerPreview(id: $0.id, name: $0.name, color: $0.speakerColor, talkingTimePercentage: $0.talkingTimePercentage)
        }
        patch.speakersJson = String(decoding: try JSONEncoder().encode(previews), as: UTF8.self)
        patch.summaryPreview = preview(of: transcript)
        return StageOutput(result: try JSONEncoder().encode(transcript), patch: patch)
    }

    static func index(_ context: StageContext) async throws -> StageOutput {
        let transcript = try await context.result(of: .summarize, as: Transcript.self)
        var patch = MeetingPatch()
        patch.segments = transcript.segments
        patch.speakerNames = Dictionary(transcript.speakers.map { ($0.displayName, $0.name) }, uniquingKeysWith: { a, _ in a })
        return StageOutput(result: Data(#"{"segments":\#(transcript.segments.count)}"#.utf8), patch: patch)
    }

    static func preview(of transcript: Transcript, limit: Int = 240) -> String {
        var text = ""
        for segment in transcript.segments {
            let line = "\(segment.speakerID): \(segment.text)"
            if text.count + line.count > limit { break }
            text += (text.isEmpty ? "" : " ") + line
        }
        if text.isEmpty, let first = transcript.segments.first { text = String(first.text.prefix(limit)) }
        return text
    }
}
