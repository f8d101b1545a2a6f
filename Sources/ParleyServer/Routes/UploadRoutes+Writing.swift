import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Metrics
import ParleyQueue
import ParleyStore
import ParleyAPI

extension UploadRoutes {
    struct Written {
        var offset: Int64
        /// Set when these bytes completed the upload.
        var meeting: MeetingRecord?
    }

    /// Appends the request body at `offset`, then completes the upload if it is whole.
    /// Whatever arrived before a dropped connection stays on disk: the file's size is the
    /// offset the client resumes from.
    func write(_ request: Request, to upload: UploadRecord, at offset: Int64) async throws -> Written {
        try await dependencies.connections.holding(.upload, user: upload.ownerId) {
            try await writeLocked(request, to: upload, at: offset)
        }
    }

    private func writeLocked(_ request: Request, to upload: UploadRecord, at offset: Int64) async throws -> Written {
        try await withUploadLock(upload.id) {
            let file = dependencies.storage.partialFile(upload: upload.id)
            let current = dependencies.storage.size(of: file)
            guard offset == current else {
                throw APIFailure(
                    .conflict, code: .offsetMismatch,
                    "Upload-Offset is \(offset) but the server has \(current) bytes",
                    headers: [.uploadOffset: String(current)])
            }
            if !FileManager.default.fileExists(atPath: file.path) {
                DataLayout.createPrivateFile(at: file)
            }
            var digest =
                try await dependencies.uploadLocks.takeDigest(upload.id, at: current)
                ?? UploadLocks.digest(of: file, upTo: current)
            let handle = try FileHandle(forWritingTo: file)
            var position = current
            var overflow = false
            do {
                try handle.seekToEnd()
                for try await chunk in request.body {
                    await Task.yield()  // never hold a cooperative thread for a whole body (see MultipartUpload)
                    guard Int64(chunk.readableBytes) <= upload.length - position else {
                        // Past Upload-Length: keep none of this request's bytes. A file cut at
                        // the length would look complete to HEAD yet never become a meeting.
                        overflow = true
                        try handle.truncate(atOffset: UInt64(current))
                        position = current
                        break
                    }
                    try handle.write(contentsOf: chunk.readableBytesView)
                    digest.update(chunk.readableBytesView)
                    position += Int64(chunk.readableBytes)
                    dependencies.metrics.uploadBytes.increment(by: Int64(chunk.readableBytes))
                }
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.synchronize()
                try? handle.close()
                let kept = dependencies.storage.size(of: file)
                // The digest stands for the bytes written; a write that failed part-way left
                // others on disk, and the next request reads the file once instead.
                if kept == digest.offset { await dependencies.uploadLocks.keepDigest(upload.id, digest) }
                try? await dependencies.uploads.setOffset(id: upload.id, offset: kept)
                throw error
            }
            try await dependencies.uploads.setOffset(id: upload.id, offset: position)
            if overflow {
                throw APIFailure(
                    .contentTooLarge, code: .tooLarge, "the body goes past Upload-Length \(upload.length)",
                    headers: [.uploadOffset: String(position)])
            }
            guard position == upload.length else {
                await dependencies.uploadLocks.keepDigest(upload.id, digest)
                return Written(offset: position, meeting: nil)
            }
            let meeting = try await MeetingIntake(dependencies: dependencies)
                .adopt(upload: upload, file: file, sha256: digest.hasher.hexDigest())
            return Written(offset: position, meeting: meeting)
        }
    }

    /// One writer per upload. A request that finds the lock held waits up to two seconds
    /// for it: a client resuming right after its connection dropped races the old
    /// request's teardown, which releases the lock a moment later.
    func withUploadLock<T>(_ id: String, _ body: () async throws -> T) async throws -> T {
        var locked = await dependencies.uploadLocks.tryLock(id)
        let deadline = ContinuousClock.now + .seconds(2)
        while !locked, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            locked = await dependencies.uploadLocks.tryLock(id)
        }
        guard locked else {
            throw APIFailure(
                HTTPResponse.Status(code: 423, reasonPhrase: "Locked"), code: .uploadBusy, "the upload is already receiving data")
        }
        do {
            let value = try await body()
            await dependencies.uploadLocks.unlock(id)
            return value
        } catch {
            await dependencies.uploadLocks.unlock(id)
            throw error
        }
    }
}
