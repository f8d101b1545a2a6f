/// Turns the extractive summary into attributed prose with the speakers' current names:
/// "Ada opened by …; Speaker 2 added …". Written at read time so renames apply at once.
public enum SummaryWriter {
    public static func prose(_ insights: MeetingInsights, names: (String) -> String) -> String {
        var seen: Set<String> = []
        return insights.summary.enumerated().map { index, sentence in
            let name = names(sentence.speakerID)
            let verb: String
            if index == 0 {
                verb = "opened by saying"
            } else if seen.contains(sentence.speakerID) {
                verb = "went on"
            } else {
                verb = "added"
            }
            seen.insert(sentence.speakerID)
            return "\(name) \(verb): “\(sentence.text)”"
        }.joined(separator: " ")
    }
}
