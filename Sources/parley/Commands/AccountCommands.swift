import ArgumentParser
import Foundation
import ParleyAPI
import ParleyServer
import ParleyStore

/// Opens the server database for account administration (safe while the server runs:
/// SQLite WAL allows it).
func openServerDatabase(_ data: DataOptions) throws -> ParleyDatabase {
    try FileManager.default.createDirectory(
        at: data.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return try ParleyDatabase(path: data.directory.appendingPathComponent("parley.sqlite").path)
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage server accounts.", subcommands: [Add.self, Join.self, Quota.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user and print a token for it.")
        @OptionGroup var data: DataOptions
        @Argument(help: "User name (letters, digits, . _ -).") var name: String
        @Flag(help: "Make the user an administrator (may list the workers); the first user always is.") var admin = false

        func run() async throws {
            let accounts = AccountRepository(database: try openServerDatabase(data))
            do {
                _ = try await accounts.createUser(name: name, admin: admin)
                print(try await accounts.createToken(userName: name, label: "created with user add"))
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }

    struct Join: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user to a workspace (created if new).")
        @OptionGroup var data: DataOptions
        @Argument(help: "User name.") var name: String
        @Option(help: "Workspace name.") var workspace: String
        @Flag(help: "Make the user an admin of the workspace (manages its webhooks).") var admin = false

        func run() async throws {
            do {
                try await AccountRepository(database: try openServerDatabase(data))
                    .addMember(userName: name, workspace: workspace, admin: admin)
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }

    struct Quota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a user's storage use, or set their quota (--mb N, or --default for the server's).")
        @OptionGroup var data: DataOptions
        @Argument(help: "User name.") var name: String
        @Option(help: "Quota in MB for this user.") var mb: Int64?
        @Flag(name: .customLong("default"), help: "Use the server's default quota (PARLEY_USER_QUOTA_MB) again.")
        var useDefault = false

        func run() async throws {
            let accounts = AccountRepository(database: try openServerDatabase(data))
            do {
                if let mb {
                    guard mb > 0 else { throw ValidationError("--mb must be more than 0") }
                    try await accounts.setQuota(userName: name, bytes: mb << 20)
                } else if useDefault {
                    try await accounts.setQuota(userName: name, bytes: nil)
                }
                var quota = StorageQuota()
                if let megabytes = ProcessInfo.processInfo.environment["PARLEY_USER_QUOTA_MB"].flatMap(Int64.init), megabytes > 0 {
                    quota.defaultBytes = megabytes << 20
                }
                let usage = try await accounts.usage(userName: name, quota: quota)
                let megabytes = { (bytes: Int64) in String(format: "%.1f MB", Double(bytes) / 1_048_576) }
                let limit = usage.quotaBytes.map(megabytes) ?? "unlimited"
                print("\(name): \(megabytes(usage.usedBytes)) used of \(limit); \(usage.openUploads) unfinished upload(s)")
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token for a user and print it.")
        @OptionGroup var data: DataOptions
        @Option(help: "User name.") var user: String
        @Option(help: "A label to remember it by.") var label: String?
        @Option(help: "user (default), or worker: a token for `parley worker` that can only claim and run jobs.")
        var role: TokenRole = .user

        func run() async throws {
            do {
                print(
                    try await AccountRepository(database: try openServerDatabase(data))
                        .createToken(userName: user, label: label, role: role))
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's tokens (ids and labels; the secrets are not stored).")
        @OptionGroup var data: DataOptions
        @Option(help: "User name.") var user: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            do {
                let tokens = try await AccountRepository(database: try openServerDatabase(data)).tokens(userName: user)
                if json {
                    let encoder = ParleyJSON.encoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(tokens), as: UTF8.self))
                    return
                }
                for token in tokens {
                    print([token.id, token.createdAt, "\(token.sessions) web session(s)", token.label ?? ""].joined(separator: "  "))
                }
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id; web sessions opened with it end too.")
        @OptionGroup var data: DataOptions
        @Argument(help: "Token id (from `parley token list`).") var id: String

        func run() async throws {
            guard try await AccountRepository(database: try openServerDatabase(data)).revokeToken(id: id) else {
                throw CommandFailure(message: "no token with id \(id)")
            }
            print("revoked \(id)")
        }
    }
}

extension TokenRole: ExpressibleByArgument {}
