import Foundation
import GRDB

/// Checks a backup and restores it into a new data directory. Everything is verified
/// before anything is written: a restore either produces a complete data directory or
/// refuses, naming what is wrong.
public struct BackupReader: Sendable {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    let location: BackupLocation

    public init(from root: URL) {
        self.location = BackupLocation(root: root)
    }

    public func manifest(of snapshot: URL) throws -> BackupManifest {
        try location.manifest(of: snapshot)
    }

    /// The named snapshot, or the newest complete one.
    public func snapshot(named name: String? = nil) throws -> URL {
        let complete = try location.completeSnapshots()
        if let name {
            guard let found = complete.first(where: { $0.lastPathComponent == name }) else {
                throw Problem(description: "no complete snapshot named \(name) in \(location.root.path)")
            }
            return found
        }
        guard let newest = complete.last else { throw Problem(description: "no complete backup in \(location.root.path)") }
        return newest
    }

    /// Every problem with a snapshot: database hash and integrity, each audio file's hash.
    public func problems(in snapshot: URL) throws -> [String] {
        let manifest = try location.manifest(of: snapshot)
        guard manifest.format <= BackupManifest.currentFormat else {
            return ["\(snapshot.lastPathComponent): written by a newer Parley (format \(manifest.format))"]
        }
        var problems: [String] = []
        let database = snapshot.appendingPathComponent(BackupManifest.databaseName)
        if (try? FileDigest.sha256(of: database)) != manifest.databaseSHA256 {
            problems.append("\(snapshot.lastPathComponent)/\(BackupManifest.databaseName): missing or corrupt (hash differs)")
        } else {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: database.path, configuration: configuration)
            let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try queue.close()
            if result != ["ok"] { problems.append("\(BackupManifest.databaseName): \(result.prefix(3).joined(separator: "; "))") }
        }
        for entry in manifest.files {
            let object = location.object(entry.sha256)
            if (try? FileDigest.sha256(of: object)) != entry.sha256 {
                problems.append("\(entry.path): missing or corrupt in the backup (objects/\(entry.sha256.prefix(2))/\(entry.sha256))")
            }
        }
        return problems
    }

    /// Restores `snapshot` into `target`, which must not exist or be empty.
    @discardableResult
    public func restore(_ snapshot: URL, into target: URL) throws -> BackupManifest {
        let fileManager = FileManager.default
        // Empty, or holding only what a killed restore left behind (its staging folder).
        if fileManager.fileExists(atPath: target.path),
            !(try fileManager.contentsOfDirectory(atPath: target.path)).allSatisfy({ $0 == ".restoring" })
        {
            throw Problem(description: "\(target.path) is not empty; restore into a new data directory")
        }
        let problems = try problems(in: snapshot)
        guard problems.isEmpty else {
            throw Problem(description: "the backup is damaged, nothing restored: " + problems.joined(separator: "; "))
        }
        let manifest = try location.manifest(of: snapshot)
        guard manifest.schema == ParleyDatabase.schemaVersion || ParleyMigrations.migrator.migrations.contains(manifest.schema)
        else {
            throw Problem(description: "the backup's database (\(manifest.schema)) is from a newer Parley; restore it with that version")
        }
        try fileManager.createDirectory(at: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Into a staging folder first, renamed into place at the end: a killed restore leaves
        // no data directory that looks usable.
        let staging = target.appendingPathComponent(".restoring", isDirectory: true)
        try? fileManager.removeItem(at: staging)
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for entry in manifest.files {
            let destination = staging.appendingPathComponent(entry.path)
            guard destination.standardizedFileURL.path.hasPrefix(staging.standardizedFileURL.path + "/") else {
                throw Problem(description: "the manifest names a path outside the data directory: \(entry.path)")
            }
            try fileManager.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try? fileManager.removeItem(at: destination)
            try fileManager.copyItem(at: location.object(entry.sha256), to: destination)
            try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: destination.path)
        }
        let database = staging.appendingPathComponent(BackupManifest.databaseName)
        try fileManager.copyItem(at: snapshot.appendingPathComponent(BackupManifest.databaseName), to: database)
        try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: database.path)
        for item in try fileManager.contentsOfDirectory(atPath: staging.path) {
            try fileManager.moveItem(at: staging.appendingPathComponent(item), to: target.appendingPathComponent(item))
        }
        try fileManager.removeItem(at: staging)
        return manifest
    }
}
