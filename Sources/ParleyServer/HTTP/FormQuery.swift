import Foundation

/// Query items decoded the way HTML forms and most HTTP clients (Python's requests, JS
/// URLSearchParams) encode them, `application/x-www-form-urlencoded`: `+` is a space.
/// Hummingbird's `queryParameters` keeps the `+`, which stored `?title=Weekly+sync` as
/// "Weekly+sync". Used where free text arrives in the query (single-request uploads).
struct FormQuery {
    private var values: [String: [String]] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[Self.decode(parts[0]), default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first occurrence wins, as with `queryParameters.get`.
    func get(_ name: String) -> String? { values[name]?.first }

    /// Every value of a repeated field (a form's checkboxes), in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Invalid percent-encoding is kept as sent rather than dropped.
    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
