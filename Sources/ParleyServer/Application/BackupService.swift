import Foundation
import Logging
import Metrics
import ParleyStore
import ServiceLifecycle

/// `parley serve --backup-to DIR --backup-every 24h --backup-keep 7`: the same backup as
/// `parley backup`, taken by the running server on a schedule, the oldest snapshots pruned.
/// `parley_backup_last_success_timestamp_seconds` lets an alert notice backups stopping.
struct BackupService: Service {
    let schedule: BackupSchedule
    let database: ParleyDatabase
    let dataDirectory: URL
    let logger: Logger
    let lastSuccess = Gauge(label: "parley_backup_last_success_timestamp_seconds")
    let failures = Counter(label: "parley_backup_failures_total")

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                // The newest snapshot sets the gauge at start-up, so a restart does not look like
                // a stale backup; a backup that is due (or missing) is taken straight away.
                var due = schedule.everySeconds
                if let newest = Self.newestSnapshotTime(in: schedule.folder) {
                    lastSuccess.record(newest)
                    due = max(0, newest + schedule.everySeconds - Date().timeIntervalSince1970)
                } else {
                    due = 0
                }
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(due))
                    await backUp()
                    due = schedule.everySeconds
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }

    /// When the newest complete snapshot in `folder` was taken (from its manifest).
    static func newestSnapshotTime(in folder: URL) -> Double? {
        let location = BackupLocation(root: folder)
        guard let newest = try? location.completeSnapshots().last,
            let manifest = try? BackupReader(from: folder).manifest(of: newest)
        else { return nil }
        return StoreClock.parse(manifest.createdAt)
    }

    func backUp() async {
        let writer = BackupWriter(database: database, dataDirectory: dataDirectory, to: schedule.folder)
        let keep = schedule.keep
        // File copying and hashing block: off the cooperative pool's request threads.
        let outcome: Result<BackupWriter.Report, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(
                    returning: Result {
                        let report = try writer.run()
                        _ = try writer.prune(keep: keep)
                        return report
                    })
            }
        }
        switch outcome {
        case .success(let report):
            lastSuccess.record(Date().timeIntervalSince1970)
            logger.info(
                "backup done",
                metadata: [
                    "snapshot": "\(report.snapshot.lastPathComponent)", "meetings": "\(report.meetings)",
                    "copied_bytes": "\(report.copiedBytes)",
                ])
        case .failure(let error):
            failures.increment()
            logger.error("backup failed: \(error)")
        }
    }
}
