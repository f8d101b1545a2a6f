import Foundation

/// A user's correction of a transcript, stored as an edit so the machine result is kept
/// and re-applying edits to a re-computed result keeps what the user fixed.
public enum TranscriptEdit: Codable, Sendable, Equatable {
    /// Give a voice a name (nil clears it).
    case rename(speakerID: String, name: String?)
    /// Fold one voice into another (diarization split a person in two).
    case merge(from: String, into: String)
    /// Move one segment to another voice.
    case reassign(segment: Int, to: String)
    /// Keep (or drop) a name suggested from a voiceprint.
    case acceptSuggestion(speakerID: String)
    case rejectSuggestion(speakerID: String)
    /// Replace a segment's words with the user's (word timings realigned, see `WordAlignment`).
    case correctText(segment: Int, text: String)
    /// Back to the machine's words for a segment.
    case revertText(segment: Int)
}

extension Transcript {
    /// The transcript with `edits` applied in order; statistics recomputed. Edits that no
    /// longer fit (a speaker that is gone) are skipped rather than failing the whole view.
    public func applying(_ edits: [TranscriptEdit]) -> Transcript {
        var result = self
        for edit in edits { result.apply(edit, machine: self) }
        result.speakers = SpeakerStatistics.update(result.speakers, from: result.segments)
        return result
    }

    mutating func apply(_ edit: TranscriptEdit, machine: Transcript) {
        switch edit {
        case .rename(let id, let name):
            guard let index = speakers.firstIndex(where: { $0.id == id }) else { return }
            let trimmed = name?.trimmingCharacters(in: .whitespacesAndNewlines)
            speakers[index].customName = trimmed?.isEmpty == false ? trimmed : nil
            speakers[index].suggested = nil
        case .merge(let from, let into):
            guard from != into, let source = speakers.first(where: { $0.id == from }),
                let target = speakers.first(where: { $0.id == into })
            else { return }
            for index in segments.indices where segments[index].speakerLabel == source.displayName {
                segments[index].speakerLabel = target.displayName
            }
            for index in speakerTurns.indices where speakerTurns[index].speakerID == from {
                speakerTurns[index].speakerID = into
            }
            speakers.removeAll { $0.id == from }
        case .reassign(let segment, let to):
            guard segments.indices.contains(segment), let target = speakers.first(where: { $0.id == to }) else { return }
            segments[segment].speakerLabel = target.displayName
        case .acceptSuggestion(let id):
            guard let index = speakers.firstIndex(where: { $0.id == id }) else { return }
            speakers[index].suggested = nil
        case .rejectSuggestion(let id):
            guard let index = speakers.firstIndex(where: { $0.id == id }), speakers[index].suggested == true else { return }
            speakers[index].customName = nil
            speakers[index].suggested = nil
        case .correctText(let segment, let text):
            guard segments.indices.contains(segment) else { return }
            let words = WordAlignment.realign(
                segments[segment].words, to: text, start: segments[segment].start, end: segments[segment].end)
            segments[segment].text = words.map(\.word).joined(separator: " ")
            segments[segment].words = words
            segments[segment].corrected = true
        case .revertText(let segment):
            guard segments.indices.contains(segment), machine.segments.indices.contains(segment) else { return }
            segments[segment].text = machine.segments[segment].text
            segments[segment].words = machine.segments[segment].words
            segments[segment].corrected = nil
        }
    }
}
