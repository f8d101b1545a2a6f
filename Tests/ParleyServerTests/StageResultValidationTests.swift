import Foundation
import Testing

@testable import ParleyServer
import ParleyCore

/// A worker's result must match its stage's schema before anything is stored, and an
/// identical retry must compare equal to what was stored.
@Suite struct StageResultValidationTests {
    static let segment = #"{"start":0,"end":1.5,"text":" hi","words":[]}"#

    func body(_ result: String) -> Data {
        Data(#"{"lease":"w/1","seconds":2.5,"result":\#(result)}"#.utf8)
    }

    @Test func aTranscriptionIsAcceptedInOneCanonicalForm() throws {
        let one = try StageResultValidation.canonical(
            stage: .transcribe, body: body(#"{"duration":3,"language":"en","model":"tiny.en","segments":[\#(Self.segment)]}"#))
        let reordered = try StageResultValidation.canonical(
            stage: .transcribe, body: body(#"{"segments":[\#(Self.segment)],"model":"tiny.en","language":"en","duration":3}"#))
        #expect(one.lease == "w/1" && one.seconds == 2.5)
        #expect(one.result == reordered.result)
    }

    @Test(arguments: [
        #"{"duration":3,"segments":[]}"#,
        #"{"duration":-1,"language":"en","model":"m","segments":[]}"#,
        #"{"duration":3,"language":"en","model":"","segments":[]}"#,
        #"{"duration":3,"language":"en","model":"m","segments":[{"start":2,"end":1,"text":"x","words":[]}]}"#,
        #"{"duration":3,"turns":[],"speakers":[]}"#,
        #""text""#,
    ])
    func aTranscriptionThatDoesNotMatchIsRefused(result: String) {
        #expect(throws: APIFailure.self) { try StageResultValidation.canonical(stage: .transcribe, body: body(result)) }
    }

    @Test func aDiarizationIsCheckedToo() throws {
        _ = try StageResultValidation.canonical(
            stage: .diarize, body: body(#"{"duration":3,"turns":[{"start":0,"end":1,"speaker":0}],"speakers":[]}"#))
        #expect(throws: APIFailure.self) {
            try StageResultValidation.canonical(
                stage: .diarize, body: body(#"{"duration":3,"turns":[{"start":0,"end":1,"speaker":-1}],"speakers":[]}"#))
        }
        #expect(throws: APIFailure.self) { try StageResultValidation.canonical(stage: .summarize, body: body("{}")) }
    }
}
