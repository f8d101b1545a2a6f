import Foundation

/// Where everything lives under the data directory, in one place for the server, the queue,
/// backups and the doctor: `parley.sqlite`; `uploads/<id>.part` while an upload is in
/// progress; `audio/<meeting>/original.<ext>` once it is a meeting, with its `playback.mp3`
/// and, between decoding and the last model stage, `pcm.wav`. Names are always server-made
/// ids, never client strings. Stored paths (`meeting.audio_path`) are relative to the root,
/// so a restored or moved data directory keeps working.
public struct DataLayout: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public var database: URL { root.appendingPathComponent("parley.sqlite") }
    public var uploads: URL { root.appendingPathComponent("uploads", isDirectory: true) }
    public var audio: URL { root.appendingPathComponent("audio", isDirectory: true) }

    public func partialFile(upload id: String) -> URL { uploads.appendingPathComponent("\(id).part") }

    public func meetingDirectory(_ id: String) -> URL { audio.appendingPathComponent(id, isDirectory: true) }

    /// The 16 kHz mono PCM both models read; deleted once both model results are stored.
    public func pcm(meeting id: String) -> URL { meetingDirectory(id).appendingPathComponent("pcm.wav") }

    public func url(relative path: String) -> URL { root.appendingPathComponent(path) }

    /// Extensions an original keeps on disk: audio and video containers. Others (`m3u8`,
    /// `txt`, `html`) are dropped, so no tool guesses a playlist or a page from the name.
    public static let mediaExtensions: Set<String> = [
        "wav", "wave", "mp3", "m4a", "mp4", "aac", "flac", "ogg", "oga", "opus", "webm", "mkv", "mka", "mov",
        "wma", "wmv", "aif", "aiff", "caf", "amr", "3gp", "avi", "wv",
    ]

    /// Relative path of a meeting's original, keeping a media extension for players.
    public static func originalRelativePath(meeting id: String, originalName: String?) -> String {
        let ext = originalName.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? ""
        return "audio/\(id)/original" + (mediaExtensions.contains(ext) ? ".\(ext)" : "")
    }

    /// Relative path of a meeting's browser-safe playback copy.
    public static func playbackRelativePath(meeting id: String) -> String { "audio/\(id)/playback.mp3" }
}
