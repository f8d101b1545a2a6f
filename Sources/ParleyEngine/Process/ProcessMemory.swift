import Foundation

/// Reads a process's resident set from procfs (Linux); nil where there is none.
public enum ProcessMemory {
    public static func residentBytes(pid: Int32) -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { UInt64($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}
