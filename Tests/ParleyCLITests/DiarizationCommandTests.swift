import Foundation
import ParleyCore
import ParleyTesting
import Testing

/// Who-said-what end to end: a synthetic meeting with known voices and turns, built by
/// the test with espeak-ng, through `parley transcribe`.
@Suite(.serialized) struct DiarizationCommandTests {
    struct TruthTurn: Decodable {
        var speaker: String
        var start: Double
        var end: Double
    }

    static func synthesize(speakers: Int, seed: Int) throws -> (audio: URL, truth: [TruthTurn]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-synth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let audio = directory.appendingPathComponent("meeting.wav"), truth = directory.appendingPathComponent("truth.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.enginePython)
        process.arguments = [
            RepositoryPaths.root.appendingPathComponent("engine/tools/synth_meeting.py").path, audio.path, truth.path,
            "--speakers", String(speakers), "--seed", String(seed),
        ]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return (audio, try JSONDecoder().decode([TruthTurn].self, from: Data(contentsOf: truth)))
    }

    @Test func aThreeVoiceMeetingGetsThreeSpeakersAndWordsGoToTheRightVoice() throws {
        let (audio, truth) = try Self.synthesize(speakers: 3, seed: 1)
        defer { try? FileManager.default.removeItem(at: audio.deletingLastPathComponent()) }
        let run = try ParleyBinary.run(["transcribe", audio.path])
        #expect(run.status == 0, "\(run.stderr)")
        let transcript = try JSONDecoder().decode(Transcript.self, from: Data(run.stdout.utf8))
        #expect(transcript.speakers.count == 3)
        // Each word's true voice is the scripted turn its midpoint falls in.
        var pairs: [(hypothesis: String, truth: String)] = []
        for segment in transcript.segments {
            for word in segment.words {
                let middle = (word.start + word.end) / 2
                if let turn = truth.first(where: { $0.start - 0.2 <= middle && middle <= $0.end + 0.2 }) {
                    pairs.append((segment.speakerLabel, turn.speaker))
                }
            }
        }
        #expect(pairs.count > 50)
        let accuracy = Self.bestMappingAccuracy(pairs)
        #expect(accuracy >= 0.95, "word attribution accuracy \(accuracy)")
        // Speakers are numbered in order of first appearance.
        let firstAppearance = transcript.segments.map(\.speakerLabel).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        #expect(firstAppearance == transcript.speakers.map(\.displayName))
    }

    /// Fraction of words right under the best one-to-one mapping of hypothesis labels to
    /// true voices (labels are arbitrary, so every permutation is tried).
    static func bestMappingAccuracy(_ pairs: [(hypothesis: String, truth: String)]) -> Double {
        let hypotheses = Array(Set(pairs.map(\.hypothesis))).sorted(), truths = Array(Set(pairs.map(\.truth))).sorted()
        var best = 0
        func search(_ index: Int, _ used: Set<String>, _ mapping: [String: String]) {
            if index == hypotheses.count {
                best = max(best, pairs.filter { mapping[$0.hypothesis] == $0.truth }.count)
                return
            }
            search(index + 1, used, mapping)
            for truth in truths where !used.contains(truth) {
                var next = mapping
                next[hypotheses[index]] = truth
                search(index + 1, used.union([truth]), next)
            }
        }
        search(0, [], [:])
        return Double(best) / Double(max(pairs.count, 1))
    }

    @Test func silenceGivesAValidResultWithNoSpeakers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-silence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let silence = directory.appendingPathComponent("silence.wav")
        // 5 s of 16-bit mono zeros with a valid WAV header.
        var wav = Data("RIFF".utf8) + le32(36 + 160_000) + Data("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(1)
        wav += le32(16_000) + le32(32_000) + le16(2) + le16(16) + Data("data".utf8) + le32(160_000)
        wav += Data(count: 160_000)
        try wav.write(to: silence)
        let run = try ParleyBinary.run(["transcribe", silence.path])
        #expect(run.status == 0, "\(run.stderr)")
        let transcript = try JSONDecoder().decode(Transcript.self, from: Data(run.stdout.utf8))
        #expect(transcript.speakers.count <= 1 && transcript.segments.isEmpty)
    }

    func le32(_ value: UInt32) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
    func le16(_ value: UInt16) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
}
