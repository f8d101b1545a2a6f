/// Wakes workers waiting for a job (remote long-polls) when something in the queue changes,
/// so a claim is answered the moment a job is queued rather than at the next poll.
actor JobSignal {
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// Waits that ended (timer, cancellation) before their continuation was registered.
    private var ended: Set<Int> = []
    private var nextID = 0

    /// Returns at the next `notify()` or after `seconds`, whichever comes first.
    func wait(upTo seconds: Double) async {
        let id = nextID
        nextID += 1
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil else { return }
            await self?.resume(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if ended.remove(id) != nil {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.resume(id) }
        }
        timer.cancel()
        ended.remove(id)
    }

    func notify() {
        let all = waiters.values
        waiters.removeAll()
        for waiter in all { waiter.resume() }
    }

    private func resume(_ id: Int) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.resume()
        } else if id < nextID {
            ended.insert(id)
        }
    }
}
