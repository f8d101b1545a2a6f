import Foundation
import GRDB

/// The server's SQLite database: WAL mode so the dashboard's reads never wait behind the
/// job queue's writes, foreign keys on, versioned migrations applied at open.
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
