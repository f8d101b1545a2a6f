/// Rules for identifiers that come from outside (client meeting ids, URL path segments):
/// short, printable, never path-like, so no id can name a file outside its folder.
public enum MeetingIdentifier {
    public static let maximumLength = 128

    public static func isValid(_ candidate: String) -> Bool {
        guard !candidate.isEmpty, candidate.utf8.count <= maximumLength, candidate != ".", candidate != ".." else {
            return false
        }
        return candidate.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                || scalar == "-" || scalar == "_" || scalar == "."
        } && !candidate.hasPrefix(".")
    }

    /// A SHA-256 in lower-case hex.
    public static func isSHA256(_ candidate: String) -> Bool {
        candidate.utf8.count == 64 && candidate.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
