import Foundation

/// Whole-word text replacement, shared by find-and-replace and the insight corrections: a
/// match counts only when no letter or digit touches it on either side ("Ann" is replaced in
/// "Ann will call", not in "Annabel").
public enum WholeWords {
    public static func replacing(
        _ find: String, with replacement: String, in text: String, options: String.CompareOptions = []
    ) -> String {
        guard !find.isEmpty else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: find, options: options) {
            let before = rest[..<range.lowerBound].last, after = rest[range.upperBound...].first
            let whole = !(before.map { $0.isLetter || $0.isNumber } ?? false) && !(after.map { $0.isLetter || $0.isNumber } ?? false)
            result += rest[..<range.lowerBound] + (whole ? replacement : String(rest[range]))
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
