import Foundation

/// Imports recordings that appear in a folder — only once they are complete: a file must
/// keep the same size and modification time across two looks `settle` seconds apart, so a
/// recorder still writing it is never imported half-way.
public actor FolderWatcher {
    public let folder: URL
    let library: Library
    let settle: Double
    private var observed: [String: (size: Int64, modified: Date, since: Date)] = [:]
    private var imported: Set<String> = []
    private var scans = 0

    /// Nothing is waiting to settle (and the folder was looked at more than once).
    public var isSettled: Bool { scans >= 2 && observed.isEmpty }

    public init(folder: URL, library: Library, settle: Double = 2) {
        self.folder = folder
        self.library = library
        self.settle = settle
    }

    /// One look at the folder; returns what was imported.
    public func scan(now: Date = Date()) async -> [Library.ImportOutcome] {
        scans += 1
        var outcomes: [Library.ImportOutcome] = []
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]
        guard
            let enumerator = FileManager.default.enumerator(
                at: folder, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles, .skipsPackageDescendants])
        else { return [] }
        var seen: Set<String> = []
        for case let file as URL in enumerator {
            guard Self.isCandidate(file), let values = try? file.resourceValues(forKeys: Set(keys)),
                values.isRegularFile == true, let size = values.fileSize.map(Int64.init), size > 0,
                let modified = values.contentModificationDate
            else { continue }
            let path = file.path
            seen.insert(path)
            let signature = "\(path)|\(size)|\(modified.timeIntervalSince1970)"
            if imported.contains(signature) { continue }
            if let previous = observed[path], previous.size == size, previous.modified == modified {
                guard now.timeIntervalSince(previous.since) >= settle else { continue }
                if let outcome = try? await library.importFile(path) { outcomes.append(outcome) }
                imported.insert(signature)
                observed.removeValue(forKey: path)
            } else {
                observed[path] = (size, modified, now)
            }
        }
        observed = observed.filter { seen.contains($0.key) }
        return outcomes
    }

    /// Temporary and partial names that recorders and browsers use while writing.
    static func isCandidate(_ file: URL) -> Bool {
        let name = file.lastPathComponent.lowercased()
        let partial = [".part", ".tmp", ".crdownload", ".download", ".partial", "~"].contains { name.hasSuffix($0) }
        return !partial && Library.audioExtensions.contains(file.pathExtension.lowercased())
    }
}
