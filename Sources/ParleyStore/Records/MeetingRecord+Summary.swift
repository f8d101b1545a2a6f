import Foundation
import ParleyAPI
import ParleyCore

extension MeetingRecord {
    /// The lightweight API view (no transcript).
    public var summary: MeetingSummary {
        let speakers = speakersJson.flatMap { try? JSONDecoder().decode([MeetingSummary.SpeakerPreview].self, from: Data($0.utf8)) }
        return MeetingSummary(
            id: id, clientID: clientId, ownerID: ownerId, title: title, recordedAt: recordedAt.map(StoreClock.iso8601),
            createdAt: StoreClock.iso8601(createdAt), duration: duration, status: status, stage: stage,
            progress: progress, failureReason: failureReason, isPersonal: isPersonal, workspaceID: workspaceId,
            sha256: sha256, size: size, speakers: speakers ?? [], summaryPreview: summaryPreview)
    }
}
