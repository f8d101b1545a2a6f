/// Names and terms (people, products, acronyms) Whisper is told about when a meeting is
/// transcribed: the meeting owner's list and, for a meeting shared with a workspace, the
/// workspace's. `GET`/`PUT /api/v1/vocabulary` (the caller's own) and
/// `/api/v1/workspaces/{id}/vocabulary` (members read, admins write).
public struct Vocabulary: Codable, Sendable, Equatable {
    /// The engine's own limit on hot words.
    public static let maxTerms = 100
    public static let maxTermLength = 60

    public var terms: [String]
    /// ISO 8601; nil while the list was never saved.
    public var updatedAt: String?

    public init(terms: [String], updatedAt: String? = nil) {
        self.terms = terms
        self.updatedAt = updatedAt
    }

    /// The list as stored: each term trimmed, inner whitespace collapsed, empty ones and
    /// repeats (ignoring case) dropped, in the order given. Nil with the reason when a term
    /// is too long, holds a line break or control character, or there are too many.
    public static func normalised(_ terms: [String]) -> Result<[String], VocabularyProblem> {
        var seen = Set<String>()
        var kept: [String] = []
        for raw in terms {
            if raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
                return .failure(.controlCharacter(raw))
            }
            let term = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard !term.isEmpty else { continue }
            guard term.count <= maxTermLength else { return .failure(.tooLong(term)) }
            if seen.insert(term.lowercased()).inserted { kept.append(term) }
        }
        guard kept.count <= maxTerms else { return .failure(.tooMany(kept.count)) }
        return .success(kept)
    }
}

/// Why a vocabulary was refused, in words for the user.
public enum VocabularyProblem: Error, Equatable, CustomStringConvertible {
    case tooLong(String)
    case controlCharacter(String)
    case tooMany(Int)

    public var description: String {
        switch self {
        case .tooLong(let term): "“\(term.prefix(40))…” is longer than \(Vocabulary.maxTermLength) characters"
        case .controlCharacter: "a term holds a line break or control character; give one term per entry"
        case .tooMany(let count): "\(count) terms is more than the \(Vocabulary.maxTerms) a vocabulary may hold"
        }
    }
}
