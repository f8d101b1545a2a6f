import Foundation

/// Query items decoded the way HTML forms and most HTTP clients (Python's requests, JS
/// URLSearchParams) encode them, `application/x-www-form-urlencoded`: `+` is a space.
/// Hummingbird's `queryParameters` keeps the `+`, which stored `?title=Weekly+sync` as
/// "Weekly+sync". Used where free text arrives in the query (single-request uploads).
struct FormQuery {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            // The first occurrence wins, as with `queryParameters.get`.
            if values[name] == nil { values[name] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    func get(_ name: String) -> String? { values[name] }

    /// Invalid percent-encoding is kept as sent rather than dropped.
    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
