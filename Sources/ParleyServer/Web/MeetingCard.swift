import Mustache
import ParleyAPI
import ParleyCore

/// One meeting on the dashboard, from the lightweight summary (no transcript is read).
/// Fields are looked up by a switch (`MustacheParent`), not `Mirror`: 50 cards a page.
struct MeetingCard: Sendable, MustacheParent {
    struct Chip: Sendable, MustacheParent {
        var name: String
        var color: String
        var percent: String

        func child(named key: String) -> Any? {
            switch key {
            case "name": name
            case "color": color
            case "percent": percent
            default: nil
            }
        }
    }

    var id: String
    var title: String
    var href: String
    var dateISO: String
    var dateText: String
    var duration: String
    var hasDuration: Bool
    var status: String = ""
    var statusLabel: String = ""
    var stageLabel: String = ""
    var progressPercent: String = ""
    /// Queued, uploading or processing: show the live progress bar.
    var isActive: Bool = false
    var isFailed: Bool = false
    var failureReason: String = ""
    var speakers: [Chip]
    var hasSpeakers: Bool
    var summary: String
    var hasSummary: Bool
    var isPersonal: Bool
    var workspaceName: String
    var hasWorkspace: Bool
    var hasDate: Bool
    /// False on the agent's local-only cards: the server has no page for them.
    var hasHref = true
    /// Where the meeting lives, on the agent's merged view only (`LocalCard.Origin`).
    var origin = ""
    var originMarker = ""
    var originLabel = ""
    var hasOrigin: Bool { !origin.isEmpty }

    init(_ meeting: MeetingSummary, base: String, workspaceNames: [String: String] = [:]) {
        id = meeting.id
        title = meeting.title
        href = base + "/meetings/" + meeting.id
        dateISO = meeting.recordedAt ?? meeting.createdAt
        dateText = WebFormat.date(dateISO)
        hasDate = true
        duration = WebFormat.duration(meeting.duration)
        hasDuration = !duration.isEmpty
        speakers = meeting.speakers.map {
            Chip(name: $0.name, color: WebFormat.color($0.color), percent: WebFormat.percent($0.talkingTimePercentage))
        }
        hasSpeakers = !speakers.isEmpty
        summary = meeting.summaryPreview ?? ""
        hasSummary = !summary.isEmpty
        isPersonal = meeting.isPersonal
        workspaceName = meeting.isPersonal ? "" : meeting.workspaceID.flatMap { workspaceNames[$0] } ?? ""
        hasWorkspace = !workspaceName.isEmpty
        setStatus(meeting.status, stage: meeting.stage, progress: meeting.progress, failureReason: meeting.failureReason)
    }

    /// The status badge and progress bar, shared by server and agent cards.
    mutating func setStatus(_ meetingStatus: MeetingStatus, stage: ProcessingStage?, progress: Double, failureReason reason: String?) {
        status = meetingStatus.rawValue
        statusLabel = Self.label(meetingStatus)
        stageLabel = Self.stageLabel(stage)
        progressPercent = WebFormat.percent(progress * 100)
        isActive = [.queued, .uploading, .processing].contains(meetingStatus)
        isFailed = meetingStatus == .failed
        failureReason = reason ?? ""
    }

    func child(named key: String) -> Any? {
        switch key {
        case "id": id
        case "title": title
        case "href": href
        case "dateISO": dateISO
        case "dateText": dateText
        case "duration": duration
        case "hasDuration": hasDuration
        case "status": status
        case "statusLabel": statusLabel
        case "stageLabel": stageLabel
        case "progressPercent": progressPercent
        case "isActive": isActive
        case "isFailed": isFailed
        case "failureReason": failureReason
        case "speakers": speakers
        case "hasSpeakers": hasSpeakers
        case "summary": summary
        case "hasSummary": hasSummary
        case "isPersonal": isPersonal
        case "workspaceName": workspaceName
        case "hasWorkspace": hasWorkspace
        case "hasDate": hasDate
        case "hasHref": hasHref
        case "origin": origin
        case "originMarker": originMarker
        case "originLabel": originLabel
        case "hasOrigin": hasOrigin
        default: nil
        }
    }

    static func label(_ status: MeetingStatus) -> String {
        switch status {
        case .local: "Local"
        case .queued: "Queued"
        case .uploading: "Uploading"
        case .processing: "Processing"
        case .synced: "Ready"
        case .failed: "Failed"
        }
    }

    /// "Transcribing (2/6)": what the engine is doing now.
    static func stageLabel(_ stage: ProcessingStage?) -> String {
        guard let stage else { return "" }
        let position = (ProcessingStage.allCases.firstIndex(of: stage) ?? 0) + 1
        let verb =
            switch stage {
            case .normalize: "Preparing audio"
            case .transcribe: "Transcribing"
            case .diarize: "Finding speakers"
            case .attribute: "Attributing words"
            case .summarize: "Summarising"
            case .index: "Indexing"
            }
        return "\(verb) (\(position)/\(ProcessingStage.allCases.count))"
    }
}
