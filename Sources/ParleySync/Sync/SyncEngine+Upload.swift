import Foundation
import Synchronization
import ParleyAPI
import ParleyCore

extension SyncEngine {
    /// Uploads every recording the server lacks, `parallelUploads` at a time.
    func uploadPending() async throws {
        let now = Date().timeIntervalSince1970
        let pending = try await library.recordings(in: [.local, .queued, .uploading, .failed])
            .filter { $0.status != .failed || ($0.retryable && $0.nextAttemptAt <= now) }
        guard !pending.isEmpty else { return }
        let total = Double(pending.reduce(0) { $0 + $1.size })
        let sent = SentBytes()
        await withTaskGroup(of: Void.self) { group in
            var iterator = pending.makeIterator()
            for _ in 0..<max(settings.parallelUploads, 1) {
                guard let next = iterator.next() else { break }
                group.addTask { await upload(next, total: total, sent: sent) }
            }
            while await group.next() != nil {
                if let next = iterator.next() { group.addTask { await upload(next, total: total, sent: sent) } }
            }
        }
    }

    /// One recording: check, create or resume the tus upload, send the missing chunks.
    /// Every status is persisted before the step it names; any failure leaves a state the
    /// next pass (or start-up reconciliation) resumes from.
    func upload(_ recording: RecordingRecord, total: Double, sent: SentBytes) async {
        do {
            var current = try await move(recording, to: .queued, reason: "waiting to upload")
            guard let path = current.localPath, FileManager.default.fileExists(atPath: path) else {
                record { $0.missingFiles.append(current.localPath ?? current.sourcePath) }
                try await move(current, to: .failed, reason: "local file disappeared") {
                    $0.failureReason = "the local file disappeared: \($0.localPath ?? $0.sourcePath)"
                    $0.retryable = false
                }
                return
            }
            current = try await library.transition(current.id, to: .uploading, reason: "uploading") { $0.attempts += 1 }
            let meetingId = try await send(current, path: path, total: total, sent: sent)
            try await library.transition(current.id, to: .processing, reason: "uploaded") {
                $0.serverId = meetingId
                $0.uploadUrl = nil
                $0.uploadedBytes = $0.size
                $0.failureReason = nil
                $0.retryable = false
            }
            _ = try? await retry.run { try await client.processAsync(meetingId: meetingId) }
        } catch {
            await fail(recording.id, error: error)
        }
    }

    /// Returns the server's meeting id once the server holds every byte.
    private func send(_ recording: RecordingRecord, path: String, total: Double, sent: SentBytes) async throws -> String {
        var location = recording.uploadUrl
        var offset: Int64 = 0
        if let known = location, let head = try await retry.run({ try await client.uploadOffset(known) }) {
            if let meeting = head.meetingId, head.offset == recording.size { return meeting }
            offset = head.offset
        } else {
            // Before a byte: does the server have it by id or by hash?
            let check = try await retry.run { try await client.check(clientId: recording.id, sha256: recording.sha256) }
            if let meeting = check.meeting {
                record { $0.alreadyOnServer += 1 }
                return meeting.id
            }
            let created = try await retry.run {
                try await client.createUpload(length: recording.size, metadata: metadata(recording))
            }
            if created.duplicate, let meeting = created.meetingId {
                record { $0.alreadyOnServer += 1 }
                return meeting
            }
            location = created.location
            offset = created.offset
            try await library.update(recording.id) { $0.uploadUrl = created.location }
        }
        guard let location else { throw ServerError.invalidResponse("no upload location") }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var failures = 0
        var meetingId: String?
        while offset < recording.size {
            try handle.seek(toOffset: UInt64(offset))
            let chunk = try handle.read(upToCount: settings.chunkBytes) ?? Data()
            guard !chunk.isEmpty else { throw ServerError.invalidResponse("the local file is shorter than recorded") }
            do {
                record { $0.bytesSent += Int64(chunk.count) }
                let result = try await client.append(location, offset: offset, chunk: chunk)
                offset = result.offset
                meetingId = result.meetingId ?? meetingId
                failures = 0
                let done = offset
                try await library.update(recording.id) { $0.uploadedBytes = done }
                report(.uploading, done: sent.add(Int64(chunk.count)), total: total, detail: recording.title)
            } catch let error as ServerError where error.isRetryable || error.status == 409 {
                failures += 1
                guard failures < retry.maxAttempts else { throw error }
                try await Task.sleep(for: .milliseconds(Int64(retry.delay(afterAttempt: failures, retryAfter: error.retryAfter) * 1000)))
                // The connection may have dropped mid-body: ask what the server kept.
                guard let head = try await retry.run({ try await client.uploadOffset(location) }) else {
                    throw ServerError.invalidResponse("the upload vanished from the server")
                }
                offset = head.offset
                meetingId = head.meetingId ?? meetingId
            }
        }
        record { $0.uploaded += 1 }
        if let meetingId { return meetingId }
        // Completed, but the answer naming the meeting was lost: ask by id and hash.
        let check = try await retry.run { try await client.check(clientId: recording.id, sha256: recording.sha256) }
        guard let meeting = check.meeting else { throw ServerError.invalidResponse("upload finished but no meeting appeared") }
        return meeting.id
    }

    func metadata(_ recording: RecordingRecord) -> [String: String] {
        var metadata = [
            "client_id": recording.id, "sha256": recording.sha256, "title": recording.title,
            "filename": URL(fileURLWithPath: recording.sourcePath).lastPathComponent,
        ]
        if let recordedAt = recording.recordedAt {
            metadata["recorded_at"] = Date(timeIntervalSince1970: recordedAt).formatted(.iso8601)
        }
        return metadata
    }

    /// Records the failure and whether the next pass retries it (with backoff).
    func fail(_ id: String, error: any Error) async {
        let retryable = isRetryable(error)
        guard let current = try? await library.recording(id: id) else { return }
        let delay = retry.delay(afterAttempt: current.attempts, retryAfter: (error as? ServerError)?.retryAfter)
        _ = try? await move(current, to: .failed, reason: "\(error)") {
            $0.failureReason = "\(error)"
            $0.retryable = retryable
            $0.nextAttemptAt = Date().timeIntervalSince1970 + delay
        }
        record { $0.failed.append(id) }
    }
}

/// Bytes sent across parallel uploads, for one progress bar.
final class SentBytes: Sendable {
    private let total = Mutex<Int64>(0)

    func add(_ bytes: Int64) -> Double {
        total.withLock { value in
            value += bytes
            return Double(value)
        }
    }
}
