import Foundation
import ParleyCore

/// Small, pure formatting helpers for the pages: clock times, dates, safe CSS values,
/// HTML escaping and search snippets.
enum WebFormat {
    /// "1:02:03" or "02:03".
    static func clock(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "" }
        return Timecode.clock(seconds)
    }

    /// "2 h 5 min", "12 min", "45 s": for meeting durations.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds > 0 else { return "" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes) min" }
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }

    /// A seconds value for `data-start` and `#t=`: two decimals, no exponent.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int((max(value, 0) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static let dateFormat: Date.FormatStyle = {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened).locale(Locale(identifier: "en_GB"))
        style.timeZone = TimeZone(identifier: "UTC")!
        return style
    }()

    /// "25 Nov 2026, 09:30 UTC" from an ISO 8601 string (scripts show it in local time).
    static func date(_ iso: String?) -> String {
        guard let iso, let date = try? Date(iso, strategy: .iso8601) else { return iso ?? "" }
        return date.formatted(dateFormat) + " UTC"
    }

    /// A colour for a `style` attribute: `#rgb`/`#rrggbb` only, anything else grey.
    static func color(_ value: String) -> String {
        let hex = value.dropFirst()
        guard value.first == "#", [3, 6].contains(hex.count), hex.allSatisfy(\.isHexDigit) else { return "#777777" }
        return value
    }

    /// A percentage 0–100 with at most one decimal.
    static func percent(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((min(max(value, 0), 100) * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// The search API's snippet as safe HTML: everything escaped, then only the exact
    /// `<mark>`/`</mark>` pairs the index inserts are turned back into elements.
    static func snippet(_ text: String) -> String {
        escape(text).replacingOccurrences(of: "&lt;mark&gt;", with: "<mark>")
            .replacingOccurrences(of: "&lt;/mark&gt;", with: "</mark>")
    }

    private static let queryAllowed: CharacterSet = {
        CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
    }()

    static func queryEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
    }
}
