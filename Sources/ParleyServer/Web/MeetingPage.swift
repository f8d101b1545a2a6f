import ParleyCore
import ParleyStore

/// One meeting: player, transcript, speakers, summary and insights, exports, controls.
/// Everything a reader needs is in the HTML; scripts add seeking, highlighting and edits.
struct MeetingPage: Sendable {
    struct Export: Sendable {
        var label: String
        var href: String
        var format: String
    }

    struct StageOption: Sendable {
        var value: String
        var label: String
        var isDefault: Bool
    }

    var chrome: PageChrome
    var card: MeetingCard
    var audioSrc: String
    var isOwner: Bool
    var canCancel: Bool
    var hasTranscript: Bool
    var transcript: TranscriptView
    var speakers: SpeakerPanel
    var hasSpeakers: Bool
    var insights: InsightsView?
    var exports: [Export]
    var stages: [StageOption]
    /// Models to re-transcribe with: what this server's engine and its connected workers offer.
    var models: [String]
    var hasModels: Bool
    var language: String
    var model: String
    var segmentCount: Int

    init(
        chrome: PageChrome, meeting: MeetingRecord, processed: ProcessedMeeting?, viewer: Viewer,
        workspaceNames: [String: String] = [:], models: [String] = []
    ) {
        self.chrome = chrome
        card = MeetingCard(meeting.summary, base: chrome.base, workspaceNames: workspaceNames)
        audioSrc = chrome.base + "/api/v1/meetings/\(meeting.id)/audio/stream"
        isOwner = meeting.ownerId == viewer.userId
        canCancel = isOwner && card.isActive
        let transcript = processed?.transcript
        hasTranscript = transcript != nil
        self.transcript = transcript.map(TranscriptView.init) ?? TranscriptView(segments: [])
        speakers = SpeakerPanel(transcript?.speakers ?? [])
        hasSpeakers = !speakers.entries.isEmpty
        if let transcript, let insights = processed?.insights {
            self.insights = InsightsView(insights, transcript: transcript)
        } else {
            insights = nil
        }
        exports =
            hasTranscript
            ? TranscriptFormat.allCases.map { format in
                Export(
                    label: Self.label(format), href: chrome.base + "/api/v1/meetings/\(meeting.id)/export?format=\(format.rawValue)",
                    format: format.rawValue)
            } : []
        stages = ProcessingStage.allCases.map { stage in
            StageOption(value: stage.rawValue, label: Self.label(stage), isDefault: stage == .transcribe)
        }
        self.models = models.sorted()
        hasModels = !models.isEmpty
        language = transcript?.language ?? ""
        model = transcript?.model ?? ""
        segmentCount = transcript?.segments.count ?? 0
    }

    static func label(_ format: TranscriptFormat) -> String {
        switch format {
        case .txt: "Plain text (.txt)"
        case .json: "JSON (.json)"
        case .srt: "SubRip subtitles (.srt)"
        case .vtt: "WebVTT subtitles (.vtt)"
        case .rttm: "Speaker turns (.rttm)"
        case .md: "Minutes (.md)"
        }
    }

    static func label(_ stage: ProcessingStage) -> String {
        switch stage {
        case .normalize: "Everything (from the audio)"
        case .transcribe: "Transcription onwards"
        case .diarize: "Speakers onwards"
        case .attribute: "Transcript from stored results"
        case .summarize: "Summary and insights"
        case .index: "Search index only"
        }
    }
}
