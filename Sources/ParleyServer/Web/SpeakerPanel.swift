import ParleyCore

/// The speakers of a meeting: talk-time bars, names to edit, voiceprint suggestions to
/// accept or reject, and the other voices each can be merged into.
struct SpeakerPanel: Sendable {
    struct Target: Sendable {
        var id: String
        var name: String
    }

    struct Entry: Sendable {
        var id: String
        var name: String
        var displayName: String
        /// The current custom name, for the rename field ("" when none).
        var customName: String
        var color: String
        var percent: String
        var talkTime: String
        var segmentCount: Int
        var wordsPerMinute: String
        var isSuggested: Bool
        var mergeTargets: [Target]
        var canMerge: Bool
    }

    var entries: [Entry]

    init(_ speakers: [Speaker]) {
        let ordered = speakers.sorted { $0.talkingTimePercentage > $1.talkingTimePercentage }
        entries = ordered.map { speaker in
            let targets = ordered.filter { $0.id != speaker.id }.map { Target(id: $0.id, name: $0.name) }
            return Entry(
                id: speaker.id, name: speaker.name, displayName: speaker.displayName, customName: speaker.customName ?? "",
                color: WebFormat.color(speaker.speakerColor), percent: WebFormat.percent(speaker.talkingTimePercentage),
                talkTime: WebFormat.clock(speaker.totalDuration), segmentCount: speaker.segmentCount,
                wordsPerMinute: String(Int(speaker.wordsPerMinute.rounded())), isSuggested: speaker.suggested == true,
                mergeTargets: targets, canMerge: !targets.isEmpty)
        }
    }
}
