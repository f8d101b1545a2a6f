import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParleyAPI

/// JSON responses, written the one way the wire is written (`ParleyJSON`).
enum JSONResponse {
    static func make<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = ParleyJSON.encoder()
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
