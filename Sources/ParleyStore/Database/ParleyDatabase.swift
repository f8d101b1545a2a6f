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
        let migrator = ParleyMigrations.migrator
        let (applied, superseded) = try pool.read { db in
            (try migrator.appliedIdentifiers(db), try migrator.hasBeenSuperseded(db))
        }
        if superseded {
            let unknown = applied.subtracting(migrator.migrations).sorted().joined(separator: ", ")
            throw NewerSchema(
                description: "\(path) was written by a newer Parley (schema \(unknown)); "
                    + "run that version, or restore a backup made by this one")
        }
        // Before changing the schema of a database that has data, keep a copy of it as it
        // was: an upgrade that goes wrong can be rolled back by putting this file back.
        if !applied.isEmpty, applied.count < migrator.migrations.count {
            try keepCopyBeforeMigrating(schema: migrator.migrations.filter(applied.contains).last ?? "unknown")
        }
        try migrator.migrate(pool)
    }

    public struct NewerSchema: Error, CustomStringConvertible {
        public var description: String
    }

    /// The schema this version of Parley writes: the last migration's identifier.
    public static var schemaVersion: String { ParleyMigrations.migrator.migrations.last ?? "" }

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

extension ParleyDatabase {
    /// How many pre-upgrade copies are kept in `db-backups/` beside the database.
    static let upgradeCopiesKept = 5

    /// Copies the database (SQLite's backup API: consistent while others read) to
    /// `db-backups/parley-<schema>-<time>.sqlite`, keeping the newest few.
    func keepCopyBeforeMigrating(schema: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("db-backups", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "parley-\(schema)-\(BackupWriter.snapshotName(Date())).sqlite"
        let copy = try DatabaseQueue(path: folder.appendingPathComponent(name).path)
        try pool.backup(to: copy)
        try copy.close()
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.appendingPathComponent(name).path)
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("parley-") && $0.hasSuffix(".sqlite") }
            .sorted { a, b in
                let modified = { (name: String) in
                    ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path))?[.modificationDate]
                        as? Date) ?? .distantPast
                }
                return modified(a) < modified(b)
            }
        for old in copies.dropLast(Self.upgradeCopiesKept) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(old))
        }
    }
}
