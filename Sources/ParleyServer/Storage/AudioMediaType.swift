import Foundation

/// The `Content-Type` Parley serves an original with, decided by Parley from the file's
/// first bytes and drawn from a fixed list of audio/video types. Never the uploader's
/// `filetype` or `Content-Type`: a client that calls its upload `text/html` would otherwise
/// have Parley serve a page of its choosing on Parley's origin.
enum AudioMediaType {
    static let fallback = "application/octet-stream"

    private static let signatures: [(offset: Int, magic: [UInt8], type: String)] = [
        (8, Array("WAVE".utf8), "audio/wav"),
        (0, Array("fLaC".utf8), "audio/flac"),
        (0, Array("OggS".utf8), "audio/ogg"),
        (0, Array("ID3".utf8), "audio/mpeg"),
        (4, Array("ftyp".utf8), "audio/mp4"),
        (0, [0x1A, 0x45, 0xDF, 0xA3], "audio/webm"),
        (0, Array("FORM".utf8), "audio/aiff"),
        (0, Array("caff".utf8), "audio/x-caf"),
        (0, Array("#!AMR".utf8), "audio/amr"),
    ]

    /// The type for a file's leading bytes (12 are enough for every signature above).
    static func sniff(_ head: [UInt8]) -> String {
        for signature in signatures where head.count >= signature.offset + signature.magic.count {
            if Array(head[signature.offset..<signature.offset + signature.magic.count]) == signature.magic {
                return signature.type
            }
        }
        // ADTS AAC: 12 sync bits and layer 0; then any other MPEG audio frame (11 sync
        // bits) without an ID3 tag.
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xF6 == 0xF0 { return "audio/aac" }
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0 { return "audio/mpeg" }
        return fallback
    }

    static func of(file: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return fallback }
        defer { try? handle.close() }
        return sniff([UInt8]((try? handle.read(upToCount: 12)) ?? Data()))
    }
}
