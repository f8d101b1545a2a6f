import Foundation
import ParleyCore
import ParleyStore

/// A fresh server database in a temporary directory, with one helper per fixture.
public struct TemporaryDatabase: Sendable {
    public let directory: URL
    public let database: ParleyDatabase

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try ParleyDatabase(path: directory.appendingPathComponent("parley.sqlite").path)
    }

    public var accounts: AccountRepository { AccountRepository(database: database) }
    public var meetings: MeetingRepository { MeetingRepository(database: database) }
    public var jobs: JobRepository { JobRepository(database: database) }
    public var uploads: UploadRepository { UploadRepository(database: database) }

    public func viewer(_ name: String) async throws -> Viewer {
        let accounts = accounts
        if try await accounts.user(named: name) == nil { _ = try await accounts.createUser(name: name) }
        let token = try await accounts.createToken(userName: name)
        return try await accounts.authenticate(token: token)!
    }

    public static func meeting(
        owner: Viewer, sha256: String = String(repeating: "a", count: 64), clientId: String? = nil,
        workspaceId: String? = nil, createdAt: Double = StoreClock.now(), duration: Double? = 60
    ) -> MeetingRecord {
        let id = UUID().uuidString.lowercased()
        return MeetingRecord(
            id: id, ownerId: owner.userId, clientId: clientId, workspaceId: workspaceId, isPersonal: workspaceId == nil,
            title: "Meeting \(id.prefix(4))", recordedAt: nil, createdAt: createdAt, updatedAt: createdAt, sha256: sha256,
            size: 1000, originalName: "a.wav", contentType: "audio/wav", status: .queued, stage: .normalize, progress: 0,
            failureReason: nil, duration: duration, codec: nil, sampleRate: nil, channels: nil,
            audioPath: DataLayout.originalRelativePath(meeting: id, originalName: "a.wav"), playbackPath: nil, speakersJson: nil,
            summaryPreview: nil)
    }

    public static func sha(_ seed: Int) -> String {
        let hex = String(seed, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }
}
