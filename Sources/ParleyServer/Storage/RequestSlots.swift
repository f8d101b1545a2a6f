/// A fixed number of slots for one kind of expensive request; past it, callers are told to
/// come back (503 + Retry-After) instead of piling up.
actor RequestSlots {
    private let limit: Int
    private var used = 0

    init(limit: Int) {
        self.limit = limit
    }

    func tryAcquire() -> Bool {
        guard used < limit else { return false }
        used += 1
        return true
    }

    func release() {
        used = max(0, used - 1)
    }
}
