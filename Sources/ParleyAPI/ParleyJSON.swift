import Foundation

/// The one JSON configuration of the wire: the server's responses, SSE events and webhook
/// bodies, and the bodies clients and workers send, are written by `encoder()`; bodies of
/// ParleyAPI types are read by `decoder()`.
///
/// Keys are snake_case on the wire and camelCase in Swift, converted by the strategies so
/// a wire type needs no hand-written `CodingKeys`. Two rules follow from how Foundation
/// converts (pinned by `WireKeyTests`):
/// - Encoding leaves keys that are already snake_case alone, so types that still spell
///   their keys out (ParleyCore's `Transcript`, which is also stored as JSON) encode the same.
/// - Decoding converts the JSON key *before* matching it (`speaker_id` → `speakerId`), so a
///   type read by `decoder()` must not spell out snake_case keys, and a property ending in
///   an acronym must be spelled `…Id`/`…Sha256` (`speakerID` would never match). So the
///   types the sync client reads keep their keys and a plain `JSONDecoder` for now: they hold
///   ParleyCore values (`MeetingDetail` → `Transcript`) or values also stored as JSON by a
///   plain encoder (`MeetingSummary.SpeakerPreview` in `speakers_json`), which must move first.
public enum ParleyJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // URLs and paths in bodies (webhook links, `Location`-like fields) stay readable.
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
