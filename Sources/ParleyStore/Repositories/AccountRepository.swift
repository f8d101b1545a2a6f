import Crypto
import Foundation
import GRDB
import ParleyAPI

/// Users, workspaces and API tokens. Tokens are shown once and stored only as SHA-256
/// hashes: a leaked database does not leak working credentials.
public struct AccountRepository: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case nameTaken(String)
        case unknownUser(String)
        case unknownWorkspace(String)
        case invalidName(String)

        public var description: String {
            switch self {
            case .nameTaken(let name): "the name \(name) is taken"
            case .unknownUser(let name): "no user named \(name)"
            case .unknownWorkspace(let name): "no workspace named \(name)"
            case .invalidName(let name): "invalid name \(name.debugDescription): use 1–64 letters, digits, . _ -"
            }
        }
    }

    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    /// The first user of a server is its administrator; `admin` makes another one.
    public func createUser(name: String, admin: Bool = false) async throws -> UserRecord {
        try Self.validate(name)
        let user = UserRecord(id: UUID().uuidString.lowercased(), name: name, createdAt: StoreClock.now())
        do {
            try await database.pool.write { db in
                let first = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user") == 0
                try user.insert(db)
                if admin || first { try db.execute(sql: "UPDATE user SET is_admin = 1 WHERE id = ?", arguments: [user.id]) }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw Failure.nameTaken(name)
        }
        return user
    }

    public func user(named name: String) async throws -> UserRecord? {
        try await database.pool.read { db in try UserRecord.filter(Column("name") == name).fetchOne(db) }
    }

    /// Creates a token for `userName` and returns it in plain text: the only time it exists.
    public func createToken(userName: String, label: String? = nil, role: TokenRole = .user) async throws -> String {
        guard let user = try await user(named: userName) else { throw Failure.unknownUser(userName) }
        let token = "prl_" + Self.randomToken()
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_token (id, user_id, token_hash, label, created_at, role) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [UUID().uuidString.lowercased(), user.id, Self.hash(token), label, StoreClock.now(), role.rawValue])
        }
        return token
    }

    /// The viewer a bearer token stands for, or nil for an unknown token.
    public func authenticate(token: String) async throws -> Viewer? {
        guard token.hasPrefix("prl_"), token.utf8.count < 200 else { return nil }
        let hash = Self.hash(token)
        return try await database.pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT user_id, id, role FROM api_token WHERE token_hash = ?
                        """, arguments: [hash]),
                let user = try UserRecord.fetchOne(db, key: row["user_id"] as String)
            else { return nil }
            var viewer = try Self.viewer(user, in: db)
            viewer.tokenId = row["id"]
            viewer.role = TokenRole(rawValue: row["role"]) ?? .user
            return viewer
        }
    }

    /// Creates the workspace if needed and makes `userName` a member of it; an admin also
    /// manages the workspace's webhooks. Joining again as a plain member keeps an admin one.
    public func addMember(userName: String, workspace name: String, admin: Bool = false) async throws {
        try Self.validate(name)
        guard let user = try await user(named: userName) else { throw Failure.unknownUser(userName) }
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO workspace (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [UUID().uuidString.lowercased(), name, StoreClock.now()])
            try db.execute(
                sql: """
                    INSERT INTO workspace_member (workspace_id, user_id, role) SELECT id, ?, ? FROM workspace WHERE name = ?
                    ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = 'admin' WHERE excluded.role = 'admin'
                    """, arguments: [user.id, admin ? "admin" : "member", name])
        }
    }

    /// The workspaces the user administers (their webhooks and vocabulary).
    public func adminWorkspaces(userId: String) async throws -> Set<String> {
        try await database.pool.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT workspace_id FROM workspace_member WHERE user_id = ? AND role = 'admin'",
                    arguments: [userId]))
        }
    }

    public func workspaceId(named name: String) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM workspace WHERE name = ?", arguments: [name])
        }
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func validate(_ name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard allowed, (1...64).contains(name.count) else { throw Failure.invalidName(name) }
    }
}
