import ArgumentParser
import Foundation
import ParleySync

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add recordings to the local library (the same bytes are never imported twice).")

    @OptionGroup var home: HomeOptions
    @Argument(help: "Audio files.") var files: [String]
    @Option(help: "Title (default: the file name).") var title: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let library = try home.library()
        var results: [ImportResult] = []
        var failures = 0
        for file in files {
            do {
                switch try await library.importFile(file, title: files.count == 1 ? title : nil) {
                case .imported(let recording): results.append(ImportResult(file: file, id: recording.id, existing: false))
                case .existing(let recording): results.append(ImportResult(file: file, id: recording.id, existing: true))
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("parley import: \(error)\n".utf8))
            }
        }
        if json {
            try printJSON(results)
        } else {
            for result in results {
                print(result.existing ? "already imported \(result.file) as \(result.id)" : "imported \(result.file) as \(result.id)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    struct ImportResult: Encodable {
        var file: String
        var id: String
        var existing: Bool
    }
}

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Import new recordings from a folder as they appear and are complete.")

    @OptionGroup var home: HomeOptions
    @Argument(help: "Folder to watch.") var folder: String
    @Option(help: "Seconds a file must stay unchanged before it counts as complete.") var settle: Double = 2
    @Flag(help: "Scan twice (settle apart) and exit, instead of watching for ever.") var once = false

    func run() async throws {
        let watcher = FolderWatcher(folder: URL(fileURLWithPath: folder), library: try home.library(), settle: settle)
        while true {
            for outcome in await watcher.scan() {
                if case .imported(let recording) = outcome { print("imported \(recording.sourcePath) as \(recording.id)") }
            }
            if once, await watcher.isSettled { return }
            try await Task.sleep(for: .seconds(max(settle / 2, 0.2)))
        }
    }
}
