import ArgumentParser
import Foundation
import ParleyStore

/// `parley backup --to DIR` (online: safe while the server runs), `parley backup --verify
/// DIR`, and `parley restore --from DIR --data NEWDIR`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the server's database and audio, or verify a backup.",
        discussion: """
            A backup folder holds snapshots (a database copy and a manifest of every file's \
            SHA-256) and the audio, stored once per content: a second backup copies only new \
            audio. Safe while `parley serve` runs.
            """)

    @OptionGroup var data: DataOptions
    @Option(help: "Backup folder to write a new snapshot into.") var to: String?
    @Option(help: "Keep only the newest N snapshots (and the audio they use).") var keep: Int?
    @Option(help: "Verify every snapshot in this backup folder instead of backing up.") var verify: String?

    func run() async throws {
        if let verify {
            let reader = BackupReader(from: URL(fileURLWithPath: verify))
            let snapshots = try BackupLocation(root: URL(fileURLWithPath: verify)).completeSnapshots()
            guard !snapshots.isEmpty else { throw CommandFailure(message: "no complete backup in \(verify)") }
            var failed = false
            for snapshot in snapshots {
                let problems = try reader.problems(in: snapshot)
                print("\(snapshot.lastPathComponent): " + (problems.isEmpty ? "ok" : "\(problems.count) problem(s)"))
                for problem in problems { print("  \(problem)") }
                failed = failed || !problems.isEmpty
            }
            if failed { throw CommandFailure(message: "the backup in \(verify) is damaged") }
            return
        }
        guard let to else { throw ValidationError("give --to DIR (or --verify DIR)") }
        guard FileManager.default.fileExists(atPath: data.directory.appendingPathComponent("parley.sqlite").path) else {
            throw CommandFailure(message: "no Parley database in \(data.directory.path)")
        }
        let started = ContinuousClock.now
        let writer = BackupWriter(
            database: try openServerDatabase(data), dataDirectory: data.directory, to: URL(fileURLWithPath: to))
        do {
            let report = try writer.run()
            let pruned = try keep.map { try writer.prune(keep: $0) } ?? 0
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            print(
                String(
                    format: "backed up %d meetings (%d audio files, %d new, %.1f MB copied) to %@ in %.1f s",
                    report.meetings, report.files, report.copiedFiles, Double(report.copiedBytes) / 1_048_576,
                    report.snapshot.path, seconds) + (pruned > 0 ? "; removed \(pruned) old snapshot(s)" : ""))
        } catch {
            throw CommandFailure(message: "backup failed, nothing kept: \(error)")
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a new, empty data directory (every file's hash checked first).")

    @Option(help: "Backup folder.") var from: String
    @Option(help: "Snapshot name (default: the newest complete one).") var snapshot: String?
    @Option(name: .customLong("data"), help: "The new data directory (must not exist or be empty).") var target: String

    func run() async throws {
        let reader = BackupReader(from: URL(fileURLWithPath: from))
        do {
            let chosen = try reader.snapshot(named: snapshot)
            let manifest = try reader.restore(chosen, into: URL(fileURLWithPath: target))
            // Opening it applies any migrations a newer Parley brings.
            _ = try ParleyDatabase(path: URL(fileURLWithPath: target).appendingPathComponent("parley.sqlite").path)
            print(
                "restored \(manifest.meetings) meetings and \(manifest.files.count) audio files from "
                    + "\(chosen.lastPathComponent) into \(target)")
        } catch let problem as BackupReader.Problem {
            throw CommandFailure(message: problem.description)
        }
    }
}
