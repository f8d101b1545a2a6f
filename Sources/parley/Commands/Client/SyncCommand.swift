import ArgumentParser
import Foundation
import ParleySync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "One sync pass: reconcile, upload, follow processing, offload.")

    @OptionGroup var home: HomeOptions
    @Flag(help: "Wait until the server has processed every upload.") var wait = false
    @Option(help: "Longest wait in seconds.") var timeout: Double = 3600
    @Option(help: "Parallel uploads.") var parallel: Int?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        var settings = try home.settings()
        if let parallel { settings.parallelUploads = max(1, parallel) }
        let bar = ProgressBar()
        let engine = SyncEngine(library: try home.library(), client: try home.client(), settings: settings) { progress in
            bar.update(label: progress.phase.rawValue, fraction: progress.total > 0 ? progress.done / progress.total : 0)
        }
        let report: SyncReport
        do {
            report = try await engine.run(wait: wait, timeout: timeout)
        } catch {
            bar.finish()
            throw CommandFailure(message: "sync failed: \(error)")
        }
        bar.finish()
        if json {
            try printJSON(report)
        } else {
            print("uploaded \(report.uploaded) · already on server \(report.alreadyOnServer) · processed \(report.completed) · failed \(report.failed.count) · offloaded \(report.offloaded) · \(report.bytesSent) bytes sent · \(report.requests) requests")
            for path in report.missingFiles { print("missing local file: \(path)") }
        }
        if !report.failed.isEmpty || !report.missingFiles.isEmpty { throw ExitCode(2) }
    }
}

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Keep syncing: watch folders, upload, follow processing.")

    @OptionGroup var home: HomeOptions
    @Option(name: .customLong("watch"), help: "Folder to watch (repeatable).") var folders: [String] = []
    @Option(help: "Seconds between passes.") var interval: Double = 10

    func run() async throws {
        let library = try home.library()
        let engine = SyncEngine(library: library, client: try home.client(), settings: try home.settings())
        let watchers = folders.map { FolderWatcher(folder: URL(fileURLWithPath: $0), library: library) }
        while !Task.isCancelled {
            for watcher in watchers { _ = await watcher.scan() }
            do {
                let report = try await engine.run(wait: false)
                if report.bytesSent > 0 || report.completed > 0 || !report.failed.isEmpty {
                    print("sync: \(report.completed) processed, \(report.failed.count) failed, \(report.bytesSent) bytes sent")
                }
            } catch {
                FileHandle.standardError.write(Data("parley agent: \(error)\n".utf8))
            }
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
    }
}
