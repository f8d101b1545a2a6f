/// Speaker numbering: `speaker_N` ids and "Speaker N" names, 1-based in order of appearance.
public enum SpeakerIdentity {
    public static func id(ordinal: Int) -> String { "speaker_\(ordinal)" }
    public static func displayName(ordinal: Int) -> String { "Speaker \(ordinal)" }

    /// A fixed palette that keeps ≥ 4.5:1 contrast against white, so coloured names stay
    /// readable; stable per speaker index so a speaker keeps its colour everywhere.
    public static let palette = [
        "#1D4ED8", "#B91C1C", "#047857", "#7E22CE", "#B45309", "#BE185D", "#0E7490", "#374151",
    ]

    public static func color(ordinal: Int) -> String {
        palette[(max(ordinal, 1) - 1) % palette.count]
    }
}
