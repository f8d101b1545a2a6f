import ArgumentParser
import Foundation
import ParleyServer

/// `parley doctor`: what an operator checks first when something is off.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the installation: engine and model, ffmpeg, permissions, disk, database, audio, jobs.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let findings = await Doctor(dataDirectory: data.directory, engine: ServerConfiguration.serverEngine()).run()
        for finding in findings {
            print(
                "\(finding.level.rawValue.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0))\(finding.check): \(finding.detail)"
            )
        }
        let failures = findings.filter { $0.level == .fail }.count
        if failures > 0 { throw CommandFailure(message: "\(failures) check(s) failed") }
    }
}
