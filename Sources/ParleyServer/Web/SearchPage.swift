import Mustache
import ParleyAPI
import ParleyStore
import Foundation

/// Full-text search: the form (query, speaker, dates, scope) and ranked hits whose
/// snippets highlight the match; each hit opens the meeting at the moment it was said.
struct SearchPage: Sendable {
    /// Up to 100 a page: looked up by a switch rather than `Mirror`.
    struct Hit: Sendable, MustacheParent {
        var meetingTitle: String
        var href: String
        var clock: String
        var speakerName: String
        var hasSpeaker: Bool
        var kind: String
        var kindLabel: String
        var isTranscript: Bool
        /// Escaped text with the index's <mark> elements kept (see `WebFormat.snippet`).
        var snippetHTML: String

        func child(named key: String) -> Any? {
            switch key {
            case "meetingTitle": meetingTitle
            case "href": href
            case "clock": clock
            case "speakerName": speakerName
            case "hasSpeaker": hasSpeaker
            case "kind": kind
            case "kindLabel": kindLabel
            case "isTranscript": isTranscript
            case "snippetHTML": snippetHTML
            default: nil
            }
        }
    }

    struct ScopeOption: Sendable {
        var value: String
        var label: String
        var isSelected: Bool
    }

    var chrome: PageChrome
    var query: String
    var speaker: String
    var from: String
    var to: String
    var scopes: [ScopeOption]
    var modes: [ScopeOption]
    var hasQuery: Bool
    var hits: [Hit]
    var hasHits: Bool
    var resultCount: Int
    var resultLabel: String
    var error: String
    var hasError: Bool

    init(
        chrome: PageChrome, query: String, speaker: String, from: String, to: String, scope: String,
        mode: SearchRepository.Mode = .hybrid, hits: [SearchHit], error: String?
    ) {
        self.chrome = chrome
        self.query = query
        self.speaker = speaker
        self.from = from
        self.to = to
        scopes = [("all", "All meetings"), ("personal", "Personal"), ("workspace", "Workspace")].map {
            ScopeOption(value: $0.0, label: $0.1, isSelected: $0.0 == scope)
        }
        modes = [(SearchRepository.Mode.hybrid, "Words and meaning"), (.keyword, "Exact words"), (.semantic, "Meaning")].map {
            ScopeOption(value: $0.0.rawValue, label: $0.1, isSelected: $0.0 == mode)
        }
        hasQuery = !query.isEmpty
        self.hits = hits.map { hit in
            Hit(
                meetingTitle: hit.meetingTitle, href: chrome.base + "/meetings/\(hit.meetingId)#t=\(WebFormat.seconds(hit.start))",
                clock: WebFormat.clock(hit.start), speakerName: hit.speakerName, hasSpeaker: !hit.speakerName.isEmpty, kind: hit.kind,
                kindLabel: Self.kindLabel(hit.kind), isTranscript: hit.kind == "transcript",
                snippetHTML: WebFormat.snippet(hit.snippet))
        }
        hasHits = !self.hits.isEmpty
        resultCount = self.hits.count
        resultLabel = resultCount == 1 ? "1 result for “\(query)”" : "\(resultCount) results for “\(query)”"
        self.error = error ?? ""
        hasError = error != nil
    }

    static func kindLabel(_ kind: String) -> String {
        switch kind {
        case "transcript": "Transcript"
        case "summary": "Summary"
        case "action_item": "Action item"
        case "decision": "Decision"
        case "question": "Question"
        case "topic": "Topic"
        default: kind.replacingOccurrences(of: "_", with: " ").capitalized
        }
    }
}
