import HTTPTypes
import ParleyAPI

/// Caps on long-lived requests — upload bodies, live-progress (SSE) streams, and
/// OpenAI-compatible transcriptions waiting for their transcript — per user and in total. A client that opens hundreds of them gets a clear 429 (its own share is
/// used up) or 503 (the server's is), each with `Retry-After`, instead of tying up the
/// server's connections and file handles.
actor ConnectionCaps {
    enum Kind: String, Sendable {
        case upload = "uploads"
        case events = "live-progress streams"
        case transcriptions = "transcriptions"
    }

    struct Limit: Sendable, Equatable {
        var perUser: Int
        var total: Int
    }

    private let limits: [Kind: Limit]
    private var totals: [Kind: Int] = [:]
    private var perUser: [Kind: [String: Int]] = [:]

    init(uploads: Limit, events: Limit, transcriptions: Limit) {
        limits = [.upload: uploads, .events: events, .transcriptions: transcriptions]
    }

    /// Takes a slot for `user`, or throws the 429/503 that says why not.
    func acquire(_ kind: Kind, user: String) throws {
        guard let limit = limits[kind] else { return }
        if totals[kind, default: 0] >= limit.total {
            throw APIFailure.busy(retryAfter: 5, "the server has \(limit.total) \(kind.rawValue) open; try again shortly")
        }
        let mine = perUser[kind]?[user] ?? 0
        if mine >= limit.perUser {
            throw APIFailure(
                .tooManyRequests, code: .tooManyConnections,
                "you already have \(mine) \(kind.rawValue) open, the most allowed; finish one first",
                headers: [.retryAfter: "5"])
        }
        totals[kind, default: 0] += 1
        perUser[kind, default: [:]][user] = mine + 1
    }

    func release(_ kind: Kind, user: String) {
        totals[kind] = max(0, totals[kind, default: 0] - 1)
        let left = (perUser[kind]?[user] ?? 1) - 1
        perUser[kind]?[user] = left > 0 ? left : nil
    }

    /// Runs `body` holding a slot, released however it ends.
    nonisolated func holding<T>(_ kind: Kind, user: String, _ body: () async throws -> T) async throws -> T {
        try await acquire(kind, user: user)
        do {
            let value = try await body()
            await release(kind, user: user)
            return value
        } catch {
            await release(kind, user: user)
            throw error
        }
    }
}
