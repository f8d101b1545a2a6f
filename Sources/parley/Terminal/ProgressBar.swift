import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr, drawn only when stderr is a terminal so logs and
/// pipes stay clean.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let state = Mutex((label: "", permille: -1))
    private let width = 30

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    func update(label: String, fraction: Double) {
        guard enabled else { return }
        let permille = Int((min(max(fraction, 0), 1) * 1000).rounded())
        let changed = state.withLock { current in
            guard current.label != label || current.permille != permille else { return false }
            current = (label, permille)
            return true
        }
        guard changed else { return }
        let filled = permille * width / 1000
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let percent = String(format: "%5.1f%%", Double(permille) / 10)
        FileHandle.standardError.write(
            Data("\r\u{1B}[2K\(label.padding(toLength: 11, withPad: " ", startingAt: 0)) \(bar) \(percent)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
