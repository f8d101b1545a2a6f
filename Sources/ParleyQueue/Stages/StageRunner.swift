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
        case .attribute: try await attribute(context)
        case .summarize: try await summarize(context)
        case .index: try await index(context)
        }
    }

    /// Decode once to 16 kHz mono PCM for the models, and keep a browser-safe copy for
    /// playback (some browsers play uploaded formats silently).
    /// A server without an engine (`--no-local-workers`) only probes the stream: the
    /// workers decode the audio they download themselves.
    static func normalize(_ context: StageContext) async throws -> StageOutput {
        try FileManager.default.createDirectory(at: context.meetingDirectory, withIntermediateDirectories: true)
        let decoded: DecodedAudio
        if let engine = context.engine {
            decoded = try await engine.decode(
                input: context.originalAudio.path, output: context.pcmAudio.path, maxSeconds: context.maxAudioSeconds)
        } else {
            do {
                decoded = try await AudioProbe.probe(context.originalAudio, maxSeconds: context.maxAudioSeconds)
            } catch let failure as AudioProbe.Failure {
                throw StageFailure(message: failure.description, retryable: false)
            }
        }
        context.progress(0.5)
        let playback = DataLayout.playbackRelativePath(meeting: context.meeting.id)
        try await PlaybackTranscoder.transcode(input: context.originalAudio, output: context.layout.url(relative: playback))
        var patch = MeetingPatch()
        patch.duration = decoded.duration
        patch.codec = decoded.codec
        patch.sampleRate = decoded.sampleRate
        patch.channels = decoded.channels
        patch.playbackPath = playback
        return StageOutput(result: try JSONEncoder().encode(decoded), patch: patch)
    }

    /// The model stages run the same code here and in `parley worker` (`ModelStages`), with
    /// the meeting's own options (`QueueShared.transcriptionOptions`).
    static func transcribe(_ context: StageContext) async throws -> StageOutput {
        let result = try await ModelStages.transcribe(
            engine: try context.requireEngine(), original: context.originalAudio, pcm: context.pcmAudio,
            options: try await MeetingTranscription.options(
                base: context.transcription, model: context.model, meetingId: context.meeting.id,
                vocabularies: context.vocabularies, jobs: context.jobs), maxSeconds: context.maxAudioSeconds, progress: context.progress)
        return StageOutput(result: try JSONEncoder().encode(result), patch: nil)
    }

    static func diarize(_ context: StageContext) async throws -> StageOutput {
        let result = try await ModelStages.diarize(
            engine: try context.requireEngine(), original: context.originalAudio, pcm: context.pcmAudio,
            maxSeconds: context.maxAudioSeconds, progress: context.progress)
        return StageOutput(result: try JSONEncoder().encode(result), patch: nil)
    }

    /// Joins words and voices into the transcript record, and names voices the owner taught
    /// before (as suggestions). Light work: no engine, no model.
    static func attribute(_ context: StageContext) async throws -> StageOutput {
        let recognition = try await context.result(of: .transcribe, as: RecognitionResult.self)
        let diarization = try await context.result(of: .diarize, as: Diarization.self)
        // Both model results are stored: the decoded PCM has done its job.
        try? FileManager.default.removeItem(at: context.pcmAudio)
        var transcript = Transcript(recognition: recognition, diarization: diarization)
        transcript.speakers = suggestNames(transcript.speakers, known: try await context.voiceprints())
        var patch = MeetingPatch()
        patch.transcript = .machine(transcript)
        patch.summaryPreview = preview(of: transcript, insights: nil)
        return StageOutput(result: Data(#"{"segments":\#(transcript.segments.count)}"#.utf8), patch: patch)
    }

    /// Learns what the meeting was about from the transcript as the machine produced it
    /// (the user's corrections are carried into the insights when they are read).
    static func summarize(_ context: StageContext) async throws -> StageOutput {
        guard let transcript = try await context.transcripts.machine(meetingId: context.meeting.id)?.transcript else {
            throw StageFailure(message: "the meeting has no transcript yet; re-run the attribute stage", retryable: false)
        }
        let insights = try await context.summarizer.insights(for: transcript, engine: context.engine) { context.progress($0) }
        var patch = MeetingPatch()
        patch.transcript = .insights(insights)
        patch.summaryPreview = preview(of: transcript, insights: insights)
        // The insights live in the transcript record; the stage's own result is a receipt.
        let receipt = ["source": insights?.source]
        return StageOutput(result: try JSONEncoder().encode(receipt), patch: patch)
    }

    /// Pre-fills `custom_name` from the best voiceprint over the calibrated threshold.
    static func suggestNames(_ speakers: [Speaker], known: [(name: String, embedding: [Float])]) -> [Speaker] {
        var taken: Set<String> = []
        return speakers.map { speaker in
            var speaker = speaker
            if let embedding = speaker.embedding, speaker.totalDuration >= VoiceMatch.minimumSeconds,
                let match = VoiceMatch.best(for: embedding, among: known),
                !taken.contains(match.name)
            {
                taken.insert(match.name)
                speaker.customName = match.name
                speaker.suggested = true
            }
            return speaker
        }
    }

    /// Sentence vectors for search by meaning, from the transcript as edited so far (the
    /// keyword search rows are kept current by the stages that write the record).
    static func index(_ context: StageContext) async throws -> StageOutput {
        guard let processed = try await context.transcripts.current(meetingId: context.meeting.id) else {
            throw StageFailure(message: "the meeting has no transcript yet; re-run the attribute stage", retryable: false)
        }
        let texts = SearchTexts.of(processed)
        var patch = MeetingPatch()
        patch.vectors = try await embeddings(for: texts, context)
        return StageOutput(result: Data(#"{"texts":\#(texts.count),"embedded":\#(patch.vectors.count)}"#.utf8), patch: patch)
    }

    /// Vectors for the meeting's lines that have none yet (a re-run embeds only corrected
    /// ones). None when the engine cannot embed (the model is not installed): search by
    /// meaning then leaves this meeting to keyword search rather than failing the stage.
    static func embeddings(for texts: [String], _ context: StageContext) async throws -> [String: Data] {
        guard let engine = context.engine else { return [:] }
        let missing = try await context.transcripts.textsWithoutVectors(meetingId: context.meeting.id, among: texts)
        var vectors: [String: Data] = [:]
        for start in stride(from: 0, to: missing.count, by: 256) {
            let batch = Array(missing[start..<min(start + 256, missing.count)])
            do {
                let embedded = try await engine.embed(batch)
                for (text, vector) in zip(batch, embedded.vectors) { vectors[text] = VectorCoding.float16Data(vector) }
            } catch let error as EngineError {
                if case .cancelled = error { throw error }
                if case .rejected(let code, _, _) = error, code == "model_unavailable" { return vectors }
                throw error
            }
            context.progress(Double(start + batch.count) / Double(max(missing.count, 1)))
        }
        return vectors
    }

    /// The dashboard's first lines: the summary's opening sentences, else the transcript's.
    static func preview(of transcript: Transcript, insights: MeetingInsights?, limit: Int = 240) -> String {
        if let insights, !insights.summary.isEmpty {
            let prose = SummaryWriter.prose(insights, names: transcript.speakerName)
            return prose.count <= limit ? prose : String(prose.prefix(limit - 1)) + "…"
        }
        var text = ""
        for segment in transcript.segments {
            let line = "\(segment.speakerLabel): \(segment.text)"
            if text.count + line.count > limit { break }
            text += (text.isEmpty ? "" : " ") + line
        }
        if text.isEmpty, let first = transcript.segments.first { text = String(first.text.prefix(limit)) }
        return text
    }
}
