/// Subtitle timestamps: `HH:MM:SS,mmm` (SRT) and `HH:MM:SS.mmm` (WebVTT).
public enum Timecode {
    public static func format(_ seconds: Double, fractionSeparator: Character) -> String {
        let totalMilliseconds = Int((max(seconds, 0) * 1000).rounded())
        let hours = totalMilliseconds / 3_600_000
        let minutes = totalMilliseconds / 60_000 % 60
        let secs = totalMilliseconds / 1000 % 60
        let millis = totalMilliseconds % 1000
        return "\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(secs, 2))\(fractionSeparator)\(pad(millis, 3))"
    }

    /// `[MM:SS]`, or `[H:MM:SS]` past an hour: compact for reading transcripts.
    public static func clock(_ seconds: Double) -> String {
        let total = Int(max(seconds, 0))
        let hours = total / 3600
        return hours > 0
            ? "\(hours):\(pad(total / 60 % 60, 2)):\(pad(total % 60, 2))"
            : "\(pad(total / 60, 2)):\(pad(total % 60, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
