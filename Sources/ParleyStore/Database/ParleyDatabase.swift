import Foundation
import GRDB

/// The server's SQLite database: WAL mode so the dashboard's reads never wait behind the
/// job queue's writes, foreign keys on, versioned migrations applied at open. The file is
/// the owner's alone (0600; SQLite gives its -wal and -shm files the same mode): it holds
/// every user's token hashes and transcripts.
public final class ParleyDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        // Also tightens a database that an older version created with the default umask.
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        try ParleyMigrations.migrator.migrate(pool)
    }

    /// True when the database answers a trivial query (for `/ready`).
    public func isReachable() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

/// Wall-clock seconds since 1970, the unit of every time column.
public enum StoreClock {
    public static func now() -> Double { Date().timeIntervalSince1970 }

    public static func iso8601(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }

    public static func parse(_ text: String) -> Double? {
        (try? Date(text, strategy: .iso8601))?.timeIntervalSince1970
    }
}
