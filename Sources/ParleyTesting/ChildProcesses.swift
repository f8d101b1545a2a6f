import Foundation

/// Direct children of a process, read from procfs: how tests find the engine to kill it.
public enum ChildProcesses {
    /// Children whose command line contains `matching` (e.g. "parley_engine"), so a test
    /// never kills processes other tests started.
    public static func of(_ parent: Int32, matching: String) -> [Int32] {
        of(parent).filter { pid in
            let command = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: command.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(matching)
        }
    }

    public static func of(_ parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // Fields after "(comm)": state, ppid, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent && fields[0] != "Z"
        }
    }
}
