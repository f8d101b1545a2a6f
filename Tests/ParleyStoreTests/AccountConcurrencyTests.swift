import ParleyStore
import ParleyTesting
import Testing

@Suite struct AccountConcurrencyTests {
    @Test func concurrentAuthenticationsAllSucceed() async throws {
        let store = try TemporaryDatabase()
        _ = try await store.accounts.createUser(name: "alice")
        let token = try await store.accounts.createToken(userName: "alice")
        let accounts = store.accounts
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<400 { group.addTask { try await accounts.authenticate(token: token) != nil } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 })
    }
}
