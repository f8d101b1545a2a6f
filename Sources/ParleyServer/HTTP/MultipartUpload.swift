import Crypto
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A `multipart/form-data` body (RFC 7578) received as it streams: the file part goes
/// straight to disk, hashed on the way, and only small text fields are kept in memory.
/// Parsing is multipart-kit's; reading the whole body first cost about three copies of it
/// per request (100 MB bodies, any number at once).
struct MultipartUpload {
    struct File {
        var url: URL
        var filename: String
        var contentType: String?
        var size: Int64
        var sha256: String
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    struct TooLarge: Error {}

    var fields: [String: [String]] = [:]
    var file: File?

    func field(_ name: String) -> String? { fields[name]?.first }

    /// The boundary from a `multipart/form-data; boundary=…` content type.
    static func boundary(from contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(value.count) ? value : nil
            }
        }
        return nil
    }

    /// Receives `body`, writing the part named `fileField` to `target` (created 0600).
    /// Throws `TooLarge` past `limit` bytes of body and `Malformed` for anything that is
    /// not a well-formed form; `target` is removed on any failure.
    static func receive(
        _ body: RequestBody, boundary: String, fileField: String = "file", into target: URL, limit: Int,
        fieldLimit: Int = 64 << 10
    ) async throws -> MultipartUpload {
        let collector = Collector(fileField: fileField, target: target, fieldLimit: fieldLimit)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.header(name, value) }
        parser.onBody = { buffer in collector.body(&buffer) }
        parser.onPartComplete = { collector.partComplete() }
        var received = 0
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                guard received <= limit else { throw TooLarge() }
                do {
                    try parser.execute(chunk)
                } catch {
                    throw Malformed(description: "not a valid multipart body")
                }
                if let failure = collector.failure { throw failure }
                // A fast client keeps the next chunk ready, so this loop would never suspend
                // and, parsing and hashing, hold one of the few cooperative threads: two such
                // uploads on a 2-core box starved every other request. Yield per chunk.
                await Task.yield()
            }
            return try collector.finish()
        } catch {
            collector.abandon()
            throw error
        }
    }
}

/// The parser's callbacks, run synchronously inside `execute` in the receiving task.
private final class Collector {
    let fileField: String
    let target: URL
    let fieldLimit: Int
    var failure: MultipartUpload.Malformed?
    private var headers: [String: String] = [:]
    private var partName: String?
    private var partFilename: String?
    private var fieldBytes: [UInt8] = []
    private var handle: FileHandle?
    private var hasher = SHA256()
    private var size: Int64 = 0
    private var result = MultipartUpload()
    private var fileSeen = false

    init(fileField: String, target: URL, fieldLimit: Int) {
        self.fileField = fileField
        self.target = target
        self.fieldLimit = fieldLimit
    }

    func header(_ name: String, _ value: String) {
        headers[name.lowercased()] = value
    }

    func body(_ buffer: inout ByteBuffer) {
        guard failure == nil else { return }
        if partName == nil {
            guard let disposition = headers["content-disposition"], let name = Self.parameter("name", in: disposition) else {
                failure = .init(description: "a part has no name")
                return
            }
            partName = name
            partFilename = Self.parameter("filename", in: disposition)
            if name == fileField {
                guard !fileSeen,
                    FileManager.default.createFile(
                        atPath: target.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                    let opened = try? FileHandle(forWritingTo: target)
                else {
                    failure = .init(description: fileSeen ? "more than one `\(fileField)` part" : "cannot store the file")
                    return
                }
                fileSeen = true
                handle = opened
            }
        }
        if let handle {
            let bytes = buffer.readableBytesView
            hasher.update(data: Data(bytes))
            size += Int64(bytes.count)
            do { try handle.write(contentsOf: bytes) } catch { failure = .init(description: "cannot store the file") }
        } else {
            guard fieldBytes.count + buffer.readableBytes <= fieldLimit else {
                failure = .init(description: "the field \(partName ?? "") is over \(fieldLimit >> 10) KB")
                return
            }
            fieldBytes.append(contentsOf: buffer.readableBytesView)
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
    }

    func partComplete() {
        guard failure == nil else { return }
        if let handle {
            try? handle.close()
            self.handle = nil
            result.file = MultipartUpload.File(
                url: target, filename: partFilename ?? "", contentType: headers["content-type"], size: size,
                sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined())
        } else if let partName {
            result.fields[partName, default: []].append(String(decoding: fieldBytes, as: UTF8.self))
        } else if let disposition = headers["content-disposition"], let name = Self.parameter("name", in: disposition) {
            result.fields[name, default: []].append("")  // an empty part gets no body callback
        }
        headers = [:]
        partName = nil
        partFilename = nil
        fieldBytes = []
    }

    func finish() throws -> MultipartUpload {
        guard failure == nil, handle == nil else { throw failure ?? .init(description: "the body ended inside a part") }
        return result
    }

    func abandon() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: target)
    }

    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
