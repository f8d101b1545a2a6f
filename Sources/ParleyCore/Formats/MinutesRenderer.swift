/// Meeting minutes in Markdown: title, date, participants with talk time, summary,
/// decisions, action items by owner, open questions, then the full transcript.
enum MinutesRenderer {
    static func render(_ transcript: Transcript, context: ExportContext) -> String {
        let name = transcript.speakerName
        var lines = ["# \(context.title ?? "Meeting")", ""]
        if let date = context.date {
            lines.append("*\(date)* · \(Timecode.clock(transcript.duration))")
        } else {
            lines.append("*\(Timecode.clock(transcript.duration))*")
        }
        lines += ["", "## Participants", ""]
        for speaker in transcript.speakers {
            lines.append("- **\(speaker.name)** — \(format(speaker.talkingTimePercentage))% of talk time, \(speaker.segmentCount) turns")
        }
        if let insights = context.insights {
            if !insights.summary.isEmpty {
                lines += ["", "## Summary", "", SummaryWriter.prose(insights, names: name)]
            }
            if !insights.keyTopics.isEmpty { lines += ["", "**Topics:** " + insights.keyTopics.joined(separator: ", ")] }
            if !insights.decisions.isEmpty {
                lines +=
                    ["", "## Decisions", ""]
                    + insights.decisions.map { "- \($0.text) (\(name($0.speakerID)), \(Timecode.clock($0.start)))" }
            }
            if !insights.actionItems.isEmpty {
                lines += ["", "## Action items", ""]
                let owners = insights.actionItems.map { $0.owner ?? "" }
                    .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                for owner in owners {
                    lines.append("### \(owner.isEmpty ? "Unassigned" : name(owner))")
                    for item in insights.actionItems where (item.owner ?? "") == owner {
                        let due = item.due.map { " — due \($0)" } ?? ""
                        lines.append("- [ ] \(item.text)\(due) (\(Timecode.clock(item.start)))")
                    }
                }
            }
            if !insights.questions.isEmpty {
                lines += ["", "## Open questions", ""] + insights.questions.map { "- \($0.text) (\(name($0.speakerID)))" }
            }
        }
        lines += ["", "## Transcript", ""]
        lines += transcript.segments.map { "**\(name($0.speakerLabel))** [\(Timecode.clock($0.start))]: \($0.text)  " }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }
}

/// What an export knows beyond the transcript.
public struct ExportContext: Sendable, Equatable {
    public var title: String?
    public var date: String?
    public var insights: MeetingInsights?

    public init(title: String? = nil, date: String? = nil, insights: MeetingInsights? = nil) {
        self.title = title
        self.date = date
        self.insights = insights
    }
}
