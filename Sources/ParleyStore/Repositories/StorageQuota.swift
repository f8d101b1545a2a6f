import GRDB
import Foundation

/// What a user may store: a byte quota over their originals (meetings plus unfinished
/// uploads, counted at their declared length) and a cap on unfinished uploads. The user's
/// own `quota_bytes` (set with `parley user quota`) overrides the server default.
public struct StorageQuota: Sendable, Equatable {
    /// Default quota for users without their own; nil = unlimited.
    public var defaultBytes: Int64?
    public var maxOpenUploads: Int

    public init(defaultBytes: Int64? = nil, maxOpenUploads: Int = 10) {
        self.defaultBytes = defaultBytes
        self.maxOpenUploads = maxOpenUploads
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case quotaExceeded(adding: Int64, used: Int64, quota: Int64)
        case tooManyOpenUploads(limit: Int)

        public var description: String {
            switch self {
            case .quotaExceeded(let adding, let used, let quota):
                "this file (\(Self.megabytes(adding))) would pass your storage quota: \(Self.megabytes(used)) of "
                    + "\(Self.megabytes(quota)) used; delete meetings or ask the administrator for more"
            case .tooManyOpenUploads(let limit):
                "you have \(limit) unfinished uploads, the most allowed; finish or delete one (DELETE /api/v1/uploads/{id})"
            }
        }

        static func megabytes(_ bytes: Int64) -> String {
            bytes < 1 << 20 ? "\(bytes) bytes" : String(format: "%.1f MB", Double(bytes) / Double(1 << 20))
        }
    }

    public struct Usage: Sendable, Equatable, Codable {
        public var usedBytes: Int64
        public var quotaBytes: Int64?
        public var openUploads: Int

        enum CodingKeys: String, CodingKey {
            case usedBytes = "used_bytes", quotaBytes = "quota_bytes", openUploads = "open_uploads"
        }
    }

    static func usage(ownerId: String, defaultBytes: Int64?, in db: Database) throws -> Usage {
        let meetings =
            try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(size), 0) FROM meeting WHERE owner_id = ?",
                arguments: [ownerId]) ?? 0
        let uploads = try Row.fetchOne(
            db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(length), 0) AS bytes FROM upload WHERE owner_id = ?",
            arguments: [ownerId])
        let own = try Int64?.fetchOne(db, sql: "SELECT quota_bytes FROM user WHERE id = ?", arguments: [ownerId]) ?? nil
        return Usage(usedBytes: meetings + (uploads?["bytes"] ?? 0), quotaBytes: own ?? defaultBytes, openUploads: uploads?["n"] ?? 0)
    }

    /// Throws a `Refusal` when `owner` may not start storing `adding` more bytes.
    func check(ownerId: String, adding: Int64, newUpload: Bool, in db: Database) throws {
        let usage = try Self.usage(ownerId: ownerId, defaultBytes: defaultBytes, in: db)
        if newUpload, usage.openUploads >= maxOpenUploads { throw Refusal.tooManyOpenUploads(limit: maxOpenUploads) }
        if let quota = usage.quotaBytes, usage.usedBytes + adding > quota {
            throw Refusal.quotaExceeded(adding: adding, used: usage.usedBytes, quota: quota)
        }
    }
}

extension AccountRepository {
    public func usage(userName: String, quota: StorageQuota) async throws -> StorageQuota.Usage {
        guard let user = try await user(named: userName) else { throw Failure.unknownUser(userName) }
        return try await database.pool.read { db in
            try StorageQuota.usage(ownerId: user.id, defaultBytes: quota.defaultBytes, in: db)
        }
    }

    /// Sets a user's own quota; nil goes back to the server default.
    public func setQuota(userName: String, bytes: Int64?) async throws {
        guard try await user(named: userName) != nil else { throw Failure.unknownUser(userName) }
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE user SET quota_bytes = ? WHERE name = ?", arguments: [bytes, userName])
        }
    }

    /// Throws a `StorageQuota.Refusal` when the user may not store `adding` more bytes.
    public func checkQuota(userId: String, adding: Int64, quota: StorageQuota) async throws {
        try await database.pool.read { db in try quota.check(ownerId: userId, adding: adding, newUpload: false, in: db) }
    }
}
