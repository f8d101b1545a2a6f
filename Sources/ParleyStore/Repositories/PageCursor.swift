import Foundation

/// An opaque keyset cursor: the sort key of the last item on the previous page.
struct PageCursor: Equatable {
    typealias Invalid = PageCursorError

    var createdAt: Double
    var id: String

    var encoded: String {
        Data("\(createdAt.bitPattern)|\(id)".utf8).base64EncodedString()
    }

    static func decode(_ text: String) throws -> PageCursor {
        guard text.utf8.count <= 512, let data = Data(base64Encoded: text),
            let decoded = String(data: data, encoding: .utf8)
        else { throw Invalid() }
        let parts = decoded.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let bits = UInt64(parts[0]) else { throw Invalid() }
        return PageCursor(createdAt: Double(bitPattern: bits), id: String(parts[1]))
    }
}

/// A cursor that this server did not issue (or that was tampered with).
public struct PageCursorError: Error, CustomStringConvertible {
    public var description: String { "invalid cursor" }
}
