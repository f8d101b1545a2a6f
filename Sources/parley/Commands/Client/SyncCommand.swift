import ArgumentParser
import Foundation
import ParleyServer
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
            print(
                "uploaded \(report.uploaded) · already on server \(report.alreadyOnServer) · processed \(report.completed) · failed \(report.failed.count) · offloaded \(report.offloaded) · \(report.bytesSent) bytes sent · \(report.requests) requests"
            )
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
    @Flag(help: "Also serve the merged local + server meetings list on http://127.0.0.1:<ui-port>/.") var ui = false
    @Option(name: .customLong("ui-port"), help: "Port of the local web UI.") var uiPort: Int = 8765

    func run() async throws {
        let library = try home.library()
        let settings = try home.settings()
        let client = try home.client()
        let engine = SyncEngine(library: library, client: client, settings: settings)
        let watchers = folders.map { FolderWatcher(folder: URL(fileURLWithPath: $0), library: library) }
        let interval = interval
        guard ui else { return try await Self.syncLoop(engine: engine, watchers: watchers, interval: interval) }
        let listing = AgentListing(library: library, client: client, serverURL: client.baseURL)
        let server = LocalDashboardServer(port: uiPort, renderer: try LocalDashboardRenderer()) { await listing.current() }
        print("local UI: http://127.0.0.1:\(uiPort)/")
        // If the UI stops (its port is taken, say), the agent stops too, rather than syncing on
        // without the UI it was asked for.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask { try await Self.syncLoop(engine: engine, watchers: watchers, interval: interval) }
            try await group.next()
            group.cancelAll()
        }
    }

    static func syncLoop(engine: SyncEngine, watchers: [FolderWatcher], interval: Double) async throws {
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
