import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The UI's own CSS and JavaScript (`Resources/Static`), read into memory at start-up:
/// a few kilobytes, served with the right type, an ETag, and a long cache lifetime when
/// asked for under the current version (`?v=`), which changes whenever any file does.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
        var etag: String
    }

    let assets: [String: Asset]
    /// A short hash over every asset: pages link `/static/app.css?v=<version>`.
    let version: String

    init(assets: [String: Asset]) {
        self.assets = assets
        var hasher = SHA256()
        for name in assets.keys.sorted() { hasher.update(data: Data(assets[name]!.etag.utf8)) }
        version = String(hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(12))
    }

    static func load() throws -> StaticAssets {
        guard let directory = Bundle.module.url(forResource: "Static", withExtension: nil, subdirectory: "Resources") else {
            throw WebTemplates.Failure.missing("\(Bundle.module.bundlePath)/Resources/Static")
        }
        var assets: [String: Asset] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) {
            guard let type = contentType(file.pathExtension) else { continue }
            let data = try Data(contentsOf: file)
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            assets[file.lastPathComponent] = Asset(bytes: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest.prefix(16))\"")
        }
        return StaticAssets(assets: assets)
    }

    static func contentType(_ pathExtension: String) -> String? {
        switch pathExtension {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "webmanifest": "application/manifest+json"
        default: nil
        }
    }

    func response(name: String, request: Request) -> Response {
        guard let asset = assets[name] else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        let versioned = request.uri.queryParameters.get("v") == version
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag, .xContentTypeOptions: "nosniff",
            .cacheControl: versioned ? "public, max-age=31536000, immutable" : "no-cache",
        ]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == asset.etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: asset.bytes))
    }
}
