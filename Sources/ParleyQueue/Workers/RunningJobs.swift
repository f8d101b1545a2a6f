/// The tasks of jobs running in this process, so a cancel or delete can stop them (which
/// kills the engine job under them).
actor RunningJobs {
    private var tasks: [Int64: Task<StageOutput, any Error>] = [:]

    func register(_ id: Int64, _ task: Task<StageOutput, any Error>) {
        tasks[id] = task
    }

    func remove(_ id: Int64) {
        tasks.removeValue(forKey: id)
    }

    /// Cancels the job's task and returns it, so a caller can wait until the stage has
    /// really stopped (its engine job and child processes killed).
    @discardableResult
    func cancel(_ id: Int64) -> Task<StageOutput, any Error>? {
        let task = tasks[id]
        task?.cancel()
        return task
    }
}
