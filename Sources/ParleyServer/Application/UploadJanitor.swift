import Foundation
import ServiceLifecycle
import ParleyStore

/// Removes abandoned uploads (and their bytes) once they have seen no activity for the
/// expiry age, so a client that gave up does not hold disk space for ever; and expired web
/// sessions. An upload is removed under its lock: one receiving bytes right now is skipped.
struct UploadJanitor: Service {
    let dependencies: ServerDependencies

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await sweep()
                    // Often enough that an upload never outlives its expiry by more than half.
                    let interval = min(3600, max(1, dependencies.configuration.uploadExpirySeconds / 2))
                    try await Task.sleep(for: .seconds(interval))
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }

    func sweep() async {
        try? await dependencies.sessions.sweep()
        guard let stale = try? await dependencies.uploads.stale(olderThan: dependencies.configuration.uploadExpirySeconds)
        else { return }
        for upload in stale {
            guard await dependencies.uploadLocks.tryLock(upload.id) else { continue }
            try? await dependencies.uploads.delete(id: upload.id)
            try? FileManager.default.removeItem(at: dependencies.storage.partialFile(upload: upload.id))
            await dependencies.uploadLocks.forget(upload.id)
            await dependencies.uploadLocks.unlock(upload.id)
        }
    }
}
