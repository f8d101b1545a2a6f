import Foundation
import GRDB

/// The client's local library: one SQLite file under the Parley home directory.
public final class LibraryDatabase: Sendable {
    public let pool: DatabasePool

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-library") { db in
            try db.execute(
                sql: """
                    CREATE TABLE recording (
                        id TEXT PRIMARY KEY,
                        title TEXT NOT NULL,
                        recorded_at REAL,
                        duration REAL,
                        sha256 TEXT NOT NULL UNIQUE,
                        size INTEGER NOT NULL,
                        source_path TEXT NOT NULL,
                        local_path TEXT,
                        status TEXT NOT NULL,
                        failure_reason TEXT,
                        retryable INTEGER NOT NULL DEFAULT 0,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL DEFAULT 0,
                        server_id TEXT,
                        upload_url TEXT,
                        uploaded_bytes INTEGER NOT NULL DEFAULT 0,
                        server_stage TEXT,
                        server_progress REAL NOT NULL DEFAULT 0,
                        transcript_json TEXT,
                        offloaded_at REAL,
                        synced_at REAL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL);
                    CREATE INDEX recording_status ON recording(status);
                    CREATE TABLE status_change (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        recording_id TEXT NOT NULL REFERENCES recording(id) ON DELETE CASCADE,
                        from_status TEXT,
                        to_status TEXT NOT NULL,
                        reason TEXT,
                        at REAL NOT NULL);
                    CREATE INDEX status_change_recording ON status_change(recording_id, id);
                    """)
        }
        return migrator
    }
}
