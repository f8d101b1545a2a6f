import ArgumentParser
import Foundation
import ParleyEngine

struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Install or check the speech engine (a supervised Python process).",
        subcommands: [Install.self, Status.self]
    )

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the engine's virtual environment.")

        @Flag(help: "Also install the test and benchmark tools.")
        var dev = false

        func run() async throws {
            guard let root = EngineLocator.repositoryRoot() else {
                throw CommandFailure(message: "cannot find engine/install.sh; run parley from its checkout")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [root.appendingPathComponent(EngineLocator.installCommand).path] + (dev ? ["--dev"] : [])
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the engine once and report on it.")

        func run() async throws {
            let supervisor = EngineSupervisor(configuration: .fromEnvironment())
            do {
                try await supervisor.ping()
                let pid = await supervisor.enginePID.map(String.init) ?? "?"
                let resident = await supervisor.peakResidentBytes >> 20
                print("engine: ready (pid \(pid), \(resident) MB resident)")
                await supervisor.shutdown()
            } catch let error as EngineError {
                throw CommandFailure(message: error.description)
            }
        }
    }
}
