/// The persisted stages a meeting goes through on the server, in order. Each stores its
/// own result, so a failure in one never throws away the work of the previous ones.
public enum ProcessingStage: String, Codable, Sendable, CaseIterable {
    case normalize, transcribe, diarize, attribute, summarize, index

    /// Position in the pipeline, for "this stage or an earlier one" checks.
    public var order: Int { Self.allCases.firstIndex(of: self)! }

    public var next: ProcessingStage? {
        let all = Self.allCases
        let position = all.firstIndex(of: self)!
        return position + 1 < all.count ? all[position + 1] : nil
    }

    /// Stages that run models in the engine process and so go through the bounded pool
    /// (`summarize` runs the offline summarizer, `index` embeds the meeting's lines for
    /// search by meaning). `attribute` only joins two stored results into the transcript:
    /// it runs in the light worker and never waits behind someone's hour-long transcription.
    public var usesEngine: Bool { self != .attribute }

    /// Stages a remote worker (`parley worker`) can run: they need only the meeting's audio
    /// and a speech engine, and produce a result the server validates and stores. The
    /// others read or write the server's own records (the playback copy, earlier results,
    /// voiceprints, the search index) and so always run on the server.
    public var runsOnWorkers: Bool { self == .transcribe || self == .diarize }
}

/// The state of one stage's job.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, done, failed, cancelled
}
