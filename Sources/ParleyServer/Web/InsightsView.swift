import ParleyCore

/// What was learned from the meeting, with speakers' current names and a link to the
/// moment each item was said (`#t=seconds`, which the page script turns into a seek).
struct InsightsView: Sendable {
    struct Moment: Sendable {
        var text: String
        var speakerID: String
        var speakerName: String
        var hasSpeaker: Bool
        var color: String
        var start: String
        var clock: String
        var due: String
        var hasDue: Bool
    }

    struct PerSpeaker: Sendable {
        var speakerID: String
        var name: String
        var color: String
        var sentiment: String
        var percent: String
        var topics: [String]
        var hasTopics: Bool
        var actionItems: [Moment]
        var hasActionItems: Bool
    }

    var summary: [Moment]
    var keyTopics: [String]
    var actionItems: [Moment]
    var decisions: [Moment]
    var questions: [Moment]
    var speakers: [PerSpeaker]
    var source: String

    // Stored, not computed: Mustache finds fields through `Mirror`, which sees only these.
    var hasSummary = false
    var hasKeyTopics = false
    var hasActionItems = false
    var hasDecisions = false
    var hasQuestions = false
    var hasSpeakers = false
    var hasAnything = false

    init(_ insights: MeetingInsights, transcript: Transcript) {
        func speaker(_ reference: String?) -> Speaker? {
            reference.flatMap(transcript.speaker)
        }
        func moment(_ text: String, _ speakerID: String?, _ start: Double, due: String? = nil) -> Moment {
            let found = speaker(speakerID)
            return Moment(
                text: text, speakerID: found?.id ?? "", speakerName: found?.name ?? speakerID ?? "",
                hasSpeaker: !(found?.name ?? speakerID ?? "").isEmpty,
                color: WebFormat.color(found?.speakerColor ?? ""), start: WebFormat.seconds(start),
                clock: WebFormat.clock(start), due: due ?? "", hasDue: !(due ?? "").isEmpty)
        }
        summary = insights.summary.map { moment($0.text, $0.speakerID, $0.start) }
        keyTopics = insights.keyTopics
        actionItems = insights.actionItems.map { moment($0.text, $0.owner, $0.start, due: $0.due) }
        decisions = insights.decisions.map { moment($0.text, $0.speakerID, $0.start) }
        questions = insights.questions.map { moment($0.text, $0.speakerID, $0.start) }
        self.speakers = insights.speakers.compactMap { entry in
            let found = speaker(entry.speakerID)
            let items = entry.actionItems.map { moment($0.text, $0.owner ?? entry.speakerID, $0.start, due: $0.due) }
            return PerSpeaker(
                speakerID: found?.id ?? entry.speakerID, name: found?.name ?? entry.speakerID,
                color: WebFormat.color(found?.speakerColor ?? ""), sentiment: entry.sentiment,
                percent: WebFormat.percent(entry.talkingTimePercentage ?? found?.talkingTimePercentage ?? 0),
                topics: entry.keyTopics, hasTopics: !entry.keyTopics.isEmpty, actionItems: items, hasActionItems: !items.isEmpty)
        }
        source = insights.source ?? ""
        hasSummary = !summary.isEmpty
        hasKeyTopics = !keyTopics.isEmpty
        hasActionItems = !actionItems.isEmpty
        hasDecisions = !decisions.isEmpty
        hasQuestions = !questions.isEmpty
        hasSpeakers = !self.speakers.isEmpty
        hasAnything = hasSummary || hasKeyTopics || hasActionItems || hasDecisions || hasQuestions || hasSpeakers
    }
}
