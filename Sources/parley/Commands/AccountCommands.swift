import ArgumentParser
import Foundation
import ParleyServer
import ParleyStore

/// Opens the server database for account administration (safe while the server runs:
/// SQLite WAL allows it).
func openServerDatabase(_ data: DataOptions) throws -> ParleyDatabase {
    try FileManager.default.createDirectory(at: data.directory, withIntermediateDirectories: true)
    return try ParleyDatabase(path: data.directory.appendingPathComponent("parley.sqlite").path)
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage server accounts.", subcommands: [Add.self, Join.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user and print a token for it.")
        @OptionGroup var data: DataOptions
        @Argument(help: "User name (letters, digits, . _ -).") var name: String

        func run() async throws {
            let accounts = AccountRepository(database: try openServerDatabase(data))
            do {
                _ = try await accounts.createUser(name: name)
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

        func run() async throws {
            do {
                try await AccountRepository(database: try openServerDatabase(data)).addMember(userName: name, workspace: workspace)
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token for a user and print it.")
        @OptionGroup var data: DataOptions
        @Option(help: "User name.") var user: String
        @Option(help: "A label to remember it by.") var label: String?

        func run() async throws {
            do {
                print(try await AccountRepository(database: try openServerDatabase(data)).createToken(userName: user, label: label))
            } catch let failure as AccountRepository.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
    }
}
