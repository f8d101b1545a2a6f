import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyCore
import ParleyStore
import ParleyAPI

/// `GET /api/v1/meetings/{id}/export?format=txt|json|srt|vtt|rttm|md`, with the user's
/// edits (names, merges) applied.
struct ExportRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on meetings: RouterGroup<ParleyRequestContext>) {
        meetings.get("{id}/export") { request, context in
            let meeting = try await MeetingRoutes.visibleMeeting(context, dependencies: dependencies)
            let requested = request.uri.queryParameters.get("format") ?? "txt"
            guard let format = TranscriptFormat(rawValue: requested) else {
                throw APIFailure.badRequest("format must be one of \(TranscriptFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let processed = try await TranscriptRepository(database: dependencies.database).current(meetingId: meeting.id) else {
                throw APIFailure(.conflict, code: .notProcessed, "the meeting has no transcript yet")
            }
            let date = (meeting.recordedAt ?? meeting.createdAt)
            let context = ExportContext(title: meeting.title, date: StoreClock.iso8601(date), insights: processed.insights)
            let name = Self.fileName(meeting.title)
            let body = try format.render(processed.transcript, recordingName: name, context: context)
            return Response(
                status: .ok,
                headers: [
                    .contentType: Self.contentType(format),
                    .contentDisposition: "attachment; filename=\"\(name).\(format.rawValue)\"",
                ], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    static func contentType(_ format: TranscriptFormat) -> String {
        switch format {
        case .json: "application/json"
        case .txt: "text/plain; charset=utf-8"
        case .srt: "application/x-subrip; charset=utf-8"
        case .vtt: "text/vtt; charset=utf-8"
        case .rttm: "text/plain; charset=utf-8"
        case .md: "text/markdown; charset=utf-8"
        }
    }

    /// A header- and filesystem-safe file name from the title.
    static func fileName(_ title: String) -> String {
        let safe = title.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        let name = String(safe.prefix(80)).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return name.isEmpty ? "meeting" : name
    }
}
