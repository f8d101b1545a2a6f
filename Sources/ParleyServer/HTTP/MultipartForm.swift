import Foundation

/// A parsed `multipart/form-data` body (RFC 7578): text fields and uploaded files.
struct MultipartForm {
    struct File {
        var filename: String
        var contentType: String?
        var data: Data
    }

    var fields: [String: [String]] = [:]
    var files: [String: File] = [:]

    func field(_ name: String) -> String? { fields[name]?.first }

    /// The boundary from a `multipart/form-data; boundary=…` content type.
    static func boundary(from contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(value.count) ? value : nil
            }
        }
        return nil
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(body: Data, boundary: String) throws {
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n\r\n".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else { throw Malformed(description: "no boundary in the body") }
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { return }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { throw Malformed(description: "bad part delimiter") }
            cursor += 2
            guard let headerEnd = body.range(of: separator, in: cursor..<body.endIndex) else {
                throw Malformed(description: "part without headers")
            }
            let headers = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self)
            let contentStart = headerEnd.upperBound
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: contentStart..<body.endIndex) else {
                throw Malformed(description: "unterminated part")
            }
            try add(headers: headers, content: body[contentStart..<next.lowerBound])
            cursor = next.upperBound
        }
    }

    private mutating func add(headers: String, content: Data) throws {
        var name: String?, filename: String?, contentType: String?
        for line in headers.components(separatedBy: "\r\n") {
            let lower = line.lowercased()
            if lower.hasPrefix("content-disposition:") {
                name = Self.parameter("name", in: line)
                filename = Self.parameter("filename", in: line)
            } else if lower.hasPrefix("content-type:") {
                contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let name else { throw Malformed(description: "a part has no name") }
        if let filename {
            files[name] = File(filename: filename, contentType: contentType, data: Data(content))
        } else {
            fields[name, default: []].append(String(decoding: content, as: UTF8.self))
        }
    }

    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
