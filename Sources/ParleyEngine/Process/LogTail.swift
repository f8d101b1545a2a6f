import Foundation
import Synchronization

/// Keeps the last few kilobytes of the engine's log, optionally echoing it to our stderr.
final class LogTail: Sendable {
    private let buffer = Mutex(Data())
    private let forward: Bool
    private let limit = 4096

    init(forward: Bool) {
        self.forward = forward
    }

    func append(_ chunk: Data) {
        if forward { FileHandle.standardError.write(chunk) }
        buffer.withLock { data in
            data.append(chunk)
            if data.count > limit { data.removeFirst(data.count - limit) }
        }
    }

    /// The last non-empty line, which is where Python puts the exception.
    var text: String {
        let data = buffer.withLock { $0 }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        return lines.last.map(String.init) ?? ""
    }
}
