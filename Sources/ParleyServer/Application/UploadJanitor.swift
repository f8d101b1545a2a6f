import Foundation
import ServiceLifecycle

/// Removes abandoned uploads (and their bytes) once they pass the expiry age, so a client
/// that gave up does not hold disk space for ever.
struct UploadJanitor: Service {
    let dependencies: ServerDependencies

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await sweep()
                    try await Task.sleep(for: .seconds(3600))
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }

    func sweep() async {
        guard let stale = try? await dependencies.uploads.stale(olderThan: dependencies.configuration.uploadExpirySeconds)
        else { return }
        for upload in stale {
            try? await dependencies.uploads.delete(id: upload.id)
            try? FileManager.default.removeItem(at: dependencies.storage.partialFile(upload: upload.id))
        }
    }
}
