/// Who said what: joins recognised words with diarization turns.
///
/// Each word goes to the turn it overlaps most; a segment is split wherever the speaker
/// changes between two words; speakers are numbered in order of first appearance.
public enum SpeakerAttribution {
    public struct Result: Sendable, Equatable {
        public var segments: [TranscriptionSegment]
        public var speakers: [Speaker]
        public var turns: [SpeakerTurn]
    }

    private struct Run {
        var label: Int
        var words: [TranscriptWord]
        var source: RecognizedSegment
        var isWholeSegment: Bool
    }

    public static func attribute(_ recognized: [RecognizedSegment], diarization: Diarization?) -> Result {
        let runs = recognized.flatMap { split($0, diarization: diarization) }
        var ordinals: [Int: Int] = [:]
        for label in runs.map(\.label) + (diarization?.turns.map(\.speaker) ?? []) where ordinals[label] == nil {
            ordinals[label] = ordinals.count + 1
        }
        let segments = runs.map { run in
            let ordinal = ordinals[run.label] ?? 1
            return TranscriptionSegment(
                start: run.isWholeSegment ? run.source.start : run.words.first?.start ?? run.source.start,
                end: run.isWholeSegment ? run.source.end : run.words.last?.end ?? run.source.end,
                text: run.isWholeSegment ? run.source.text : run.words.map(\.word).joined(separator: " "),
                speakerLabel: SpeakerIdentity.displayName(ordinal: ordinal),
                confidence: Confidence.of(words: run.words, averageLogProbability: run.source.averageLogProbability),
                words: run.words
            )
        }
        let embeddings = Dictionary(
            (diarization?.speakers ?? []).map { ($0.speaker, $0.embedding) }, uniquingKeysWith: { first, _ in first }
        )
        // Only voices that said something become speakers: a cluster of coughs is not a person.
        let spoken = Set(runs.map(\.label))
        let speakers = ordinals.filter { spoken.contains($0.key) }.sorted { $0.value < $1.value }.map { label, ordinal in
            Speaker(
                id: SpeakerIdentity.id(ordinal: ordinal),
                displayName: SpeakerIdentity.displayName(ordinal: ordinal),
                speakerColor: SpeakerIdentity.color(ordinal: ordinal),
                embedding: embeddings[label]
            )
        }
        let turns = (diarization?.turns ?? []).map { turn in
            SpeakerTurn(start: turn.start, end: turn.end, speakerID: SpeakerIdentity.id(ordinal: ordinals[turn.speaker] ?? 1))
        }
        return Result(segments: segments, speakers: SpeakerStatistics.update(speakers, from: segments), turns: turns)
    }

    private static func split(_ segment: RecognizedSegment, diarization: Diarization?) -> [Run] {
        guard let diarization, !diarization.turns.isEmpty else {
            return [Run(label: 0, words: segment.words, source: segment, isWholeSegment: true)]
        }
        guard !segment.words.isEmpty else {
            let label = diarization.speaker(start: segment.start, end: segment.end) ?? 0
            return [Run(label: label, words: [], source: segment, isWholeSegment: true)]
        }
        var runs: [Run] = []
        for word in segment.words {
            let label = diarization.speaker(start: word.start, end: word.end) ?? 0
            if let last = runs.indices.last, runs[last].label == label {
                runs[last].words.append(word)
            } else {
                runs.append(Run(label: label, words: [word], source: segment, isWholeSegment: false))
            }
        }
        if runs.count == 1 { runs[0].isWholeSegment = true }
        return runs
    }
}
