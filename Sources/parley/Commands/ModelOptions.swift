import ArgumentParser
import ParleyEngine

/// Whisper settings shared by every command that transcribes.
struct ModelOptions: ParsableArguments {
    @Option(help: "faster-whisper model name or directory (default: the bundled offline tiny.en; env PARLEY_MODEL).")
    var model: String?

    @Option(help: "Spoken language code, e.g. en (default: detect).")
    var language: String?

    @Option(
        help:
            "Quality profile: accurate (beam 8), balanced (beam 5, the default), fast (greedy, batched), or for a server auto (by queue length) (env PARLEY_PROFILE)."
    )
    var profile: String?

    @Option(help: "Beam size (default: the profile's).")
    var beamSize: Int?

    @Option(help: "A name or term to spell right (repeatable): people, products, acronyms.")
    var vocabulary: [String] = []

    @Option(help: "Device: cpu, cuda or auto (env PARLEY_DEVICE).")
    var device: String?

    @Option(help: "CTranslate2 compute type: int8, int8_float16, float16, float32 (env PARLEY_COMPUTE_TYPE).")
    var computeType: String?

    @Flag(help: "Transcribe silence too (no VAD chunking).")
    var noVad = false

    func validate() throws {
        if let beamSize, !(1...20).contains(beamSize) { throw ValidationError("--beam-size must be 1…20") }
        if let profile, !(TranscriptionOptions.profiles + ["auto"]).contains(profile) {
            throw ValidationError("--profile is one of \(TranscriptionOptions.profiles.joined(separator: ", ")) or auto")
        }
        if vocabulary.count > 100 { throw ValidationError("--vocabulary takes at most 100 terms") }
    }

    var transcriptionOptions: TranscriptionOptions {
        let environment = ProcessInfo.processInfo.environment
        var options = TranscriptionOptions()
        options.model = model ?? environment["PARLEY_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        options.language = language
        options.beamSize = beamSize
        options.profile = profile ?? environment["PARLEY_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        options.vocabulary = vocabulary.isEmpty ? nil : vocabulary
        options.device = device ?? environment["PARLEY_DEVICE"] ?? options.device
        options.computeType = computeType ?? environment["PARLEY_COMPUTE_TYPE"] ?? options.computeType
        options.vadFilter = !noVad
        return options
    }
}

import Foundation
