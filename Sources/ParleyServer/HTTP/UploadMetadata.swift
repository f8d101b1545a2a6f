import Foundation
import ParleyCore
import ParleyStore
import ParleyAPI

/// The tus `Upload-Metadata` header: comma-separated `key base64value` pairs, carrying
/// the client's meeting id, title, recorded-at time, scope and the SHA-256 of the bytes.
struct UploadMetadata: Equatable {
    var values: [String: String]

    static let maximumHeaderLength = 4096

    init(values: [String: String]) {
        self.values = values
    }

    init(header: String?) throws {
        guard let header, !header.isEmpty else {
            self.values = [:]
            return
        }
        guard header.utf8.count <= Self.maximumHeaderLength else {
            throw APIFailure.badRequest("Upload-Metadata is longer than \(Self.maximumHeaderLength) bytes")
        }
        var values: [String: String] = [:]
        for pair in header.split(separator: ",") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(parts.count), !parts[0].isEmpty else {
                throw APIFailure.badRequest("Upload-Metadata must be comma-separated 'key base64value' pairs")
            }
            let key = String(parts[0])
            guard values[key] == nil else { throw APIFailure.badRequest("Upload-Metadata repeats the key \(key)") }
            if parts.count == 1 {
                values[key] = ""
                continue
            }
            guard let data = Data(base64Encoded: String(parts[1])), let value = String(data: data, encoding: .utf8) else {
                throw APIFailure.badRequest("Upload-Metadata value of \(key) is not base64 of UTF-8 text")
            }
            values[key] = value
        }
        self.values = values
    }

    /// The fields Parley understands, validated.
    func upload(defaultTitle: String) throws -> UploadFields {
        guard let sha = values["sha256"]?.lowercased(), MeetingIdentifier.isSHA256(sha) else {
            throw APIFailure.badRequest("Upload-Metadata needs sha256: the hex SHA-256 of the file's bytes", code: .missingSHA256)
        }
        let clientId = values["client_id"] ?? values["meeting_id"]
        if let clientId, !MeetingIdentifier.isValid(clientId) {
            throw APIFailure.badRequest("client_id must be 1–128 letters, digits, '.', '_' or '-', not starting with '.'")
        }
        return try UploadFields(
            sha256: sha, clientId: clientId, title: values["title"] ?? values["filename"] ?? defaultTitle,
            recordedAt: values["recorded_at"], scope: values["scope"], workspace: values["workspace"],
            filename: values["filename"], contentType: values["filetype"])
    }
}

/// Validated description of an incoming recording (from tus metadata or query items).
struct UploadFields: Equatable {
    var sha256: String?
    var clientId: String?
    var title: String
    var recordedAt: Double?
    var isPersonal: Bool
    var workspace: String?
    var filename: String?
    var contentType: String?

    init(
        sha256: String?, clientId: String?, title: String, recordedAt: String?, scope: String?, workspace: String?,
        filename: String?, contentType: String?
    ) throws {
        self.sha256 = sha256
        self.clientId = clientId
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 300 else { throw APIFailure.badRequest("title must be 1–300 characters") }
        self.title = trimmed
        if let recordedAt {
            guard let seconds = StoreClock.parse(recordedAt) else {
                throw APIFailure.badRequest("recorded_at must be an ISO 8601 date-time, e.g. 2026-11-25T09:30:00Z")
            }
            self.recordedAt = seconds
        }
        switch scope ?? "personal" {
        case "personal": isPersonal = true
        case "workspace":
            guard workspace != nil else { throw APIFailure.badRequest("scope workspace needs a workspace name") }
            isPersonal = false
        default: throw APIFailure.badRequest("scope must be personal or workspace")
        }
        self.workspace = workspace
        self.filename = filename.map { String(URL(fileURLWithPath: $0).lastPathComponent.prefix(255)) }
        self.contentType = contentType.map { String($0.prefix(100)) }
    }
}
