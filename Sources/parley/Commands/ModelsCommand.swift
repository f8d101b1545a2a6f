import ArgumentParser
import Foundation
import ParleyEngine

/// `parley models`: what this machine can transcribe with; `parley models pull NAME`: fetch
/// another faster-whisper model into the local cache. Both run the engine on this machine
/// (a server's models are the ones on the server, a worker's the ones on the worker).
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the speech models this machine can use, or pull another one.",
        subcommands: [List.self, Pull.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the models this machine can use.")

        @Option(name: .customLong("dir"), help: "Also look in this model directory (repeatable; env PARLEY_MODEL_DIRS).")
        var directories: [String] = []

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let engine = EngineSupervisor(configuration: .fromEnvironment())
            defer { Task { await engine.shutdown() } }
            let catalog: ModelCatalog
            do {
                catalog = try await engine.models(directories: directories)
            } catch let error as EngineError {
                throw CommandFailure(message: error.description)
            }
            await engine.shutdown()
            if json {
                let rows = catalog.models.map { model -> [String: String] in
                    [
                        "name": model.name, "path": model.path ?? "", "source": model.source.rawValue,
                        "size_bytes": model.sizeBytes.map(String.init) ?? "", "languages": model.languages ?? "",
                        "loads": String(model.loads), "problem": model.problem ?? "",
                    ]
                }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("NAME".padding(toLength: 22, withPad: " ", startingAt: 0) + "SOURCE   SIZE      LANGUAGES     STATE")
            for model in catalog.models {
                let size = model.sizeBytes.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .file) } ?? "-"
                let languages = model.languages == "en" ? "English" : (model.languages ?? "?")
                let state = model.loads ? "ready" : "broken: \(model.problem ?? "unknown")"
                print(
                    model.name.padding(toLength: 21, withPad: " ", startingAt: 0) + " "
                        + model.source.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                        + size.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                        + languages.padding(toLength: 13, withPad: " ", startingAt: 0) + " " + state)
            }
            let more = catalog.pullable.keys.filter { name in !catalog.models.contains { $0.name == name } }.sorted()
            if !more.isEmpty { print("\nparley models pull NAME fetches: " + more.joined(separator: ", ")) }
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a faster-whisper model into the local cache and check that it loads.",
            discussion: "Needs the model hub (HF_ENDPOINT, default https://huggingface.co); fails in one line without it.")

        @Argument(help: "A name such as large-v3, large-v3-turbo, distil-large-v3, small.en, or a hub id ORG/NAME.")
        var name: String

        @Option(help: "Hub address (default: HF_ENDPOINT, else https://huggingface.co).")
        var endpoint: String?

        func run() async throws {
            var configuration = EngineConfiguration.fromEnvironment()
            configuration.jobTimeout = .seconds(6 * 3600)  // a large model on a slow line
            let engine = EngineSupervisor(configuration: configuration)
            let bar = ProgressBar()
            do {
                let model = try await engine.pullModel(name, endpoint: endpoint) { progress in
                    if progress.stage == "download", let done = progress.bytes, let total = progress.totalBytes, total > 0 {
                        let label = "\(done >> 20)/\(total >> 20) MB"
                        bar.update(label: label, fraction: Double(done) / Double(total))
                    } else {
                        bar.update(label: progress.stage, fraction: progress.fraction)
                    }
                }
                bar.finish()
                await engine.shutdown()
                let size = model.sizeBytes.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .file) } ?? "?"
                print(
                    "\(model.name): ready (\(size), \(model.languages == "en" ? "English" : model.languages ?? "?")) at \(model.path ?? "?")"
                )
                print("use it with: parley transcribe --model \(model.name) FILE")
            } catch let error as EngineError {
                bar.finish()
                await engine.shutdown()
                throw CommandFailure(message: error.description)
            }
        }
    }
}
