import Foundation
import Hummingbird
import ParleyAPI
import ParleyCore
import ParleyStore

/// Correcting a transcript line by line: `PATCH /meetings/{id}/segments/{index}` moves a
/// segment to another voice (`speaker_id`), replaces its words (`text`) or brings back the
/// machine's (`revert_text`); `POST /meetings/{id}/transcript/replace` corrects a misheard
/// name everywhere at once. Corrections are edits beside the machine result, re-applied on
/// read, so exports, search and the summary follow them. Concurrent corrections of one
/// segment: the last one wins (edits apply in the order they were stored).
struct SegmentRoutes: Sendable {
    let dependencies: ServerDependencies
    static let maximumText = 5000

    struct SegmentBody: Decodable {
        /// The speaker's id (`speaker_1`), as `Speaker.id`.
        var speakerId: String?
        var text: String?
        var revertText: Bool?
    }

    struct ReplaceBody: Decodable {
        var find: String
        var replace: String
        var matchCase: Bool?
    }

    var editor: TranscriptEditor { TranscriptEditor(dependencies: dependencies) }

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.patch("{id}/segments/{index}") { request, context in
            let (meeting, processed) = try await editor.load(context)
            guard let index = context.parameters.get("index", as: Int.self),
                processed.transcript.segments.indices.contains(index)
            else { throw APIFailure.notFound("segment") }
            let body = try await TranscriptEditor.decode(SegmentBody.self, request)
            var edits: [TranscriptEdit] = []
            if let speaker = body.speakerId {
                guard processed.transcript.speakers.contains(where: { $0.id == speaker }) else {
                    throw APIFailure.notFound("speaker")
                }
                edits.append(.reassign(segment: index, to: speaker))
            }
            if let text = body.text {
                try requireSettled(meeting)
                edits.append(.correctText(segment: index, text: try Self.validText(text)))
            } else if body.revertText == true {
                try requireSettled(meeting)
                edits.append(.revertText(segment: index))
            }
            guard !edits.isEmpty else {
                throw APIFailure.badRequest("send {\"speaker_id\": ...}, {\"text\": ...} or {\"revert_text\": true}")
            }
            return try await editor.save(edits, meeting: meeting, context: context)
        }
        meetings.post("{id}/transcript/replace") { request, context in
            let (meeting, processed) = try await editor.load(context)
            try requireSettled(meeting)
            let body = try await TranscriptEditor.decode(ReplaceBody.self, request)
            let find = body.find.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !find.isEmpty, find.count <= 200 else { throw APIFailure.badRequest("find must be 1–200 characters") }
            guard body.replace.count <= 200 else { throw APIFailure.badRequest("replace must be at most 200 characters") }
            let options: String.CompareOptions = body.matchCase == true ? [] : [.caseInsensitive]
            var edits: [TranscriptEdit] = []
            for (index, segment) in processed.transcript.segments.enumerated() {
                let replaced = WholeWords.replacing(find, with: body.replace, in: segment.text, options: options)
                if replaced != segment.text, let text = try? Self.validText(replaced) {
                    edits.append(.correctText(segment: index, text: text))
                }
            }
            guard !edits.isEmpty else { throw APIFailure.notFound("\"\(find)\" in this transcript") }
            return try await editor.save(edits, meeting: meeting, context: context)
        }
    }

    /// 409 while the meeting is (re)processed: its transcript is about to be replaced.
    func requireSettled(_ meeting: MeetingRecord) throws {
        if meeting.status == .queued || meeting.status == .processing {
            throw APIFailure(.conflict, code: .processing, "the meeting is being processed; correct it once it is done")
        }
    }

    static func validText(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw APIFailure.badRequest("text is empty: to remove words, keep at least one", code: .emptyText) }
        guard trimmed.count <= maximumText else { throw APIFailure.badRequest("text is over \(maximumText) characters") }
        guard !trimmed.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) }) else {
            throw APIFailure.badRequest("text is one line without control characters")
        }
        return trimmed
    }
}
