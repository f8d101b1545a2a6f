import Foundation
import GRDB

/// Takes an online, consistent backup of a running server: the database through SQLite's
/// backup API (a read snapshot, so writers are not blocked), then the audio of exactly the
/// meetings in that copy. A meeting deleted while the backup runs (its audio already gone)
/// is dropped from the copy too, so a restore never has a meeting without its audio.
/// Uploads still in progress are not meetings yet and are not backed up.
public struct BackupWriter: Sendable {
    public struct Report: Sendable, Equatable {
        public var snapshot: URL
        public var meetings: Int
        public var files: Int
        /// Audio files copied now (the rest were already in the backup).
        public var copiedFiles: Int
        public var copiedBytes: Int64
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let database: ParleyDatabase
    let dataDirectory: URL
    let location: BackupLocation

    public init(database: ParleyDatabase, dataDirectory: URL, to root: URL) {
        self.database = database
        self.dataDirectory = dataDirectory
        self.location = BackupLocation(root: root)
    }

    public func run(now: Date = Date()) throws -> Report {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: location.snapshots, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: location.objects, withIntermediateDirectories: true)
        try removeUnfinished()
        let name = Self.snapshotName(now)
        let snapshot = location.snapshots.appendingPathComponent(name, isDirectory: true)
        guard !fileManager.fileExists(atPath: snapshot.path) else { throw Failure(description: "a snapshot named \(name) exists") }
        try fileManager.createDirectory(at: snapshot, withIntermediateDirectories: false)
        do {
            let report = try write(into: snapshot, createdAt: now)
            return report
        } catch {
            try? fileManager.removeItem(at: snapshot)  // nothing half-done that looks complete
            throw error
        }
    }

    private func write(into snapshot: URL, createdAt: Date) throws -> Report {
        let copyPath = snapshot.appendingPathComponent(BackupManifest.databaseName).path
        let copy = try DatabaseQueue(path: copyPath)
        try database.pool.backup(to: copy)
        let known = try previousEntries()
        var entries: [BackupManifest.Entry] = []
        var copiedFiles = 0, copiedBytes: Int64 = 0
        let rows = try copy.read { db in
            try Row.fetchAll(db, sql: "SELECT id, audio_path, playback_path FROM meeting ORDER BY id")
        }
        var vanished: [String] = [], withoutPlayback: [String] = []
        for row in rows {
            let id: String = row["id"]
            let original: String = row["audio_path"]
            guard let entry = try describe(dataDirectory.appendingPathComponent(original), path: original, known: known[original])
            else {
                vanished.append(id)  // deleted while the backup ran
                continue
            }
            var meetingEntries = [entry]
            if let playback: String = row["playback_path"] {
                if let copy = try describe(dataDirectory.appendingPathComponent(playback), path: playback, known: known[playback]) {
                    meetingEntries.append(copy)
                } else {
                    withoutPlayback.append(id)  // served from the original instead
                }
            }
            for entry in meetingEntries {
                let target = location.object(entry.sha256)
                if !FileManager.default.fileExists(atPath: target.path) {
                    try store(dataDirectory.appendingPathComponent(entry.path), as: target, sha256: entry.sha256)
                    copiedFiles += 1
                    copiedBytes += entry.size
                }
            }
            entries += meetingEntries
        }
        try copy.write { db in
            for id in vanished { try db.execute(sql: "DELETE FROM meeting WHERE id = ?", arguments: [id]) }
            for id in withoutPlayback { try db.execute(sql: "UPDATE meeting SET playback_path = NULL WHERE id = ?", arguments: [id]) }
        }
        try copy.close()
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat, createdAt: StoreClock.iso8601(createdAt.timeIntervalSince1970),
            schema: ParleyDatabase.schemaVersion, databaseSHA256: try FileDigest.sha256(of: URL(fileURLWithPath: copyPath)),
            meetings: rows.count - vanished.count, files: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let partial = snapshot.appendingPathComponent(BackupManifest.fileName + ".part")
        try encoder.encode(manifest).write(to: partial)
        try Self.syncFile(partial)
        try FileManager.default.moveItem(at: partial, to: snapshot.appendingPathComponent(BackupManifest.fileName))
        return Report(
            snapshot: snapshot, meetings: manifest.meetings, files: entries.count,
            copiedFiles: copiedFiles, copiedBytes: copiedBytes)
    }

    /// The file's entry, reusing the last backup's hash when size and modification time
    /// match (a second backup then reads only new audio); nil if the file is gone.
    private func describe(_ file: URL, path: String, known: BackupManifest.Entry?) throws -> BackupManifest.Entry? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path) else { return nil }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let known, known.size == size, known.modified == modified,
            FileManager.default.fileExists(atPath: location.object(known.sha256).path)
        {
            return known
        }
        return BackupManifest.Entry(path: path, sha256: try FileDigest.sha256(of: file), size: size, modified: modified)
    }

    /// Copies into the object store through a `.part` file, checking the hash of what was
    /// copied (the source may have changed since it was hashed).
    private func store(_ source: URL, as target: URL, sha256: String) throws {
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = target.appendingPathExtension("part")
        try? FileManager.default.removeItem(at: partial)
        try FileManager.default.copyItem(at: source, to: partial)
        guard try FileDigest.sha256(of: partial) == sha256 else {
            try? FileManager.default.removeItem(at: partial)
            throw Failure(description: "\(source.path) changed while it was being backed up; run the backup again")
        }
        try Self.syncFile(partial)
        try FileManager.default.moveItem(at: partial, to: target)
    }

    private func previousEntries() throws -> [String: BackupManifest.Entry] {
        guard let last = try location.completeSnapshots().last else { return [:] }
        return Dictionary((try location.manifest(of: last)).files.map { ($0.path, $0) }) { first, _ in first }
    }

    /// Snapshots without a manifest and stray `.part` objects: what a killed backup left.
    private func removeUnfinished() throws {
        let complete = Set(try location.completeSnapshots().map(\.lastPathComponent))
        for folder in (try? FileManager.default.contentsOfDirectory(at: location.snapshots, includingPropertiesForKeys: nil)) ?? []
        where !complete.contains(folder.lastPathComponent) {
            try FileManager.default.removeItem(at: folder)
        }
        let objects = FileManager.default.enumerator(at: location.objects, includingPropertiesForKeys: nil)
        while let file = objects?.nextObject() as? URL {
            if file.pathExtension == "part" { try? FileManager.default.removeItem(at: file) }
        }
    }

    /// Keeps the newest `count` complete snapshots and the audio objects they still use.
    public func prune(keep count: Int) throws -> Int {
        let snapshots = try location.completeSnapshots()
        let removed = snapshots.dropLast(max(count, 1))
        for snapshot in removed { try FileManager.default.removeItem(at: snapshot) }
        let used = Set(try location.completeSnapshots().flatMap { try location.manifest(of: $0).files.map(\.sha256) })
        let objects = FileManager.default.enumerator(at: location.objects, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = objects?.nextObject() as? URL {
            let isFile = (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
            if isFile, !used.contains(file.lastPathComponent) { try FileManager.default.removeItem(at: file) }
        }
        return removed.count
    }

    static func snapshotName(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: date)
    }

    static func syncFile(_ file: URL) throws {
        let handle = try FileHandle(forUpdating: file)
        try handle.synchronize()
        try handle.close()
    }
}
