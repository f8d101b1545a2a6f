/// RFC 9110 `Range: bytes=…` for one representation of `size` bytes.
enum ByteRange: Equatable {
    /// Serve the whole file (no Range, a malformed one, or several ranges: all allowed).
    case full
    case partial(ClosedRange<Int64>)
    /// 416, with `Content-Range: bytes */size`.
    case unsatisfiable

    static func parse(_ header: String?, size: Int64) -> ByteRange {
        guard let header, header.utf8.count <= 200 else { return .full }
        let trimmed = header.trimmingPrefix(while: { $0 == " " })
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .full }
        let spec = trimmed.dropFirst("bytes=".count).trimmingPrefix(while: { $0 == " " })
        // Multiple ranges would need multipart/byteranges; a full 200 is a valid answer.
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .full }
        let first = spec[..<dash].trimmingPrefix(while: { $0 == " " })
        let last = spec[spec.index(after: dash)...].trimmingPrefix(while: { $0 == " " })
        guard first.allSatisfy(\.isNumber), last.allSatisfy(\.isNumber) else { return .full }
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let count = Int64(last) else { return .full }
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - count)...(size - 1))
        }
        guard let start = Int64(first) else { return .full }
        // Open-ended runs to the end, whatever the size: `bytes=N-` with N ≥ size is 416,
        // not a full 200 (comparing against `size - 1` made it look like last < first).
        let end = last.isEmpty ? Int64.max : (Int64(last) ?? Int64.max)
        guard end >= start else { return .full }
        guard start < size else { return .unsatisfiable }
        return .partial(start...min(end, size - 1))
    }
}
