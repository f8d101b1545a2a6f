/// Admission control for model jobs: a job starts only when its estimated memory fits in
/// what the budget has left, so several uploads can never start several models at once
/// and exhaust the box.
actor MemoryBudget {
    struct TooLarge: Error, CustomStringConvertible {
        var needed: UInt64
        var budget: UInt64
        var description: String {
            "needs about \(needed >> 20) MB, more than the memory budget of \(budget >> 20) MB (PARLEY_MEMORY_BUDGET_MB)"
        }
    }

    private let budget: UInt64
    private var used: UInt64 = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(budget: UInt64) {
        self.budget = budget
    }

    func reserve(_ bytes: UInt64) async throws {
        guard bytes <= budget else { throw TooLarge(needed: bytes, budget: budget) }
        while used + bytes > budget {
            await withCheckedContinuation { waiting.append($0) }
        }
        used += bytes
    }

    func release(_ bytes: UInt64) {
        used -= min(used, bytes)
        let woken = waiting
        waiting.removeAll()
        woken.forEach { $0.resume() }
    }
}
