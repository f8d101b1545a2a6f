import Crypto
import Foundation

/// One writer per upload, and the running SHA-256 of the bytes each upload has on disk, so
/// the hash is ready when the last byte lands: completing a 2 GB upload no longer re-reads
/// the whole file while holding its lock. Only the lock holder takes or keeps a digest.
actor UploadLocks {
    private var held: Set<String> = []
    private var digests: [String: RunningDigest] = [:]

    func tryLock(_ id: String) -> Bool {
        held.insert(id).inserted
    }

    func unlock(_ id: String) {
        held.remove(id)
    }

    /// The digest of the upload's first `offset` bytes, if this process saw them arrive.
    func takeDigest(_ id: String, at offset: Int64) -> RunningDigest? {
        guard let kept = digests.removeValue(forKey: id), kept.offset == offset else { return nil }
        return kept
    }

    func keepDigest(_ id: String, _ digest: RunningDigest) {
        digests[id] = digest
    }

    /// An upload that completed, was terminated or expired.
    func forget(_ id: String) {
        digests.removeValue(forKey: id)
    }

    /// The digest of a partial file's first `length` bytes, read once: after a restart,
    /// or when a request failed part-way and the file no longer matches a kept digest.
    static func digest(of file: URL, upTo length: Int64) throws -> RunningDigest {
        var hasher = SHA256()
        guard length > 0 else { return RunningDigest(offset: 0, hasher: hasher) }
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var remaining = length
        while remaining > 0, let chunk = try handle.read(upToCount: Int(min(remaining, 1 << 20))), !chunk.isEmpty {
            hasher.update(data: chunk)
            remaining -= Int64(chunk.count)
        }
        return RunningDigest(offset: length - remaining, hasher: hasher)
    }
}

/// A SHA-256 in progress and how many bytes it has seen. swift-crypto's `SHA256` is a
/// value (a copied C context), not marked `Sendable`; a digest is only ever used by the one
/// request holding its upload's lock, and handed over whole, never shared.
struct RunningDigest: @unchecked Sendable {
    var offset: Int64
    var hasher: SHA256

    mutating func update(_ bytes: some DataProtocol) {
        hasher.update(data: bytes)
        offset += Int64(bytes.count)
    }
}

extension SHA256 {
    /// The finished digest as lower-case hex, the form `meeting.sha256` stores.
    func hexDigest() -> String {
        finalize().map { String(format: "%02x", $0) }.joined()
    }
}
