import Foundation

extension EngineSupervisor {
    /// The running engine, starting one (and waiting for its `ready` line) if needed.
    func ensureRunning() async throws -> EngineProcess {
        if let process, process.isRunning { return process }
        discardProcess(kill: true)
        let python = try EngineLocator.python(configured: configuration.python)
        let started = try EngineProcess(python: python, forwardLogs: configuration.forwardLogs, niceness: configuration.niceness)
        generation += 1
        launches += 1
        process = started
        let current = generation
        Task { [weak self] in
            for await line in started.lines { await self?.receive(line, generation: current) }
            await self?.processEnded(generation: current, process: started)
        }
        watchdog = Task { [weak self] in await self?.watchMemory(of: started, generation: current) }
        let startTimeout = configuration.startTimeout
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: startTimeout)) != nil else { return }
            await self?.failStart(generation: current, detail: "no `ready` within \(startTimeout)")
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { readyWaiter = $0 }
        return started
    }

    func receive(_ line: Data, generation current: Int) {
        guard current == generation else { return }
        guard let event = try? JSONDecoder().decode(EngineEvent.self, from: line) else {
            if let id = job?.id {
                abort(jobID: id, with: .protocolViolation(detail: String(decoding: line.prefix(200), as: UTF8.self)))
            }
            return
        }
        switch event.event {
        case .ready:
            // A reinstalled Parley with an old engine (or the reverse) would otherwise fail
            // later, on the first method whose fields changed, with a confusing message.
            guard event.version == EngineProtocol.version else {
                failStart(
                    generation: current,
                    error: .incompatible(
                        engine: event.version ?? "none", expected: EngineProtocol.version, fix: EngineLocator.installCommand))
                return
            }
            readyWaiter?.resume()
            readyWaiter = nil
        case .progress:
            guard let active = job, active.id == event.id, let fraction = event.fraction else { return }
            active.progress?(
                EngineProgress(
                    stage: event.stage ?? "", fraction: min(max(fraction, 0), 1),
                    bytes: event.bytes, totalBytes: event.totalBytes))
        case .result:
            if let id = event.id { finish(jobID: id, with: .success(line)) }
        case .error:
            let failure = event.error
            let error = EngineError.rejected(
                code: failure?.code ?? "internal", message: failure?.message ?? "unknown engine error",
                retryable: failure?.retryable ?? false)
            if let id = event.id ?? job?.id { finish(jobID: id, with: .failure(error)) }
        }
    }

    func processEnded(generation current: Int, process ended: EngineProcess) {
        guard current == generation else { return }
        let log = ended.recentLog
        discardProcess(kill: false)
        failStart(generation: current, detail: log.isEmpty ? "it exited" : log)
        if let id = job?.id {
            finish(jobID: id, with: .failure(EngineError.crashed(detail: log.isEmpty ? "it exited" : "last log: \(log)")))
        }
    }

    func failStart(generation current: Int, detail: String) {
        failStart(generation: current, error: .startFailed(detail: detail))
    }

    func failStart(generation current: Int, error: EngineError) {
        guard let waiter = readyWaiter, current == generation || process == nil else { return }
        readyWaiter = nil
        discardProcess(kill: true)
        waiter.resume(throwing: error)
    }

    /// Forgets the current process; later lines from it are ignored by generation.
    func discardProcess(kill: Bool) {
        watchdog?.cancel()
        watchdog = nil
        if kill { process?.kill() }
        process = nil
        generation += 1
    }

    /// After a job: exit now (TTL 0), later (TTL > 0) or never (TTL < 0).
    func scheduleIdleExit() {
        let ttl = configuration.idleTTL
        guard ttl >= .zero, process != nil else { return }
        if ttl == .zero {
            idleTask = Task { await self.stopProcess() }
            return
        }
        let current = generation
        idleTask = Task { [weak self] in
            guard (try? await Task.sleep(for: ttl)) != nil else { return }
            await self?.idleExpired(generation: current)
        }
    }

    private func idleExpired(generation current: Int) async {
        guard current == generation, job == nil else { return }
        await stopProcess()
    }

    /// Asks the engine to exit (EOF), killing it if it has not gone after a grace period.
    func stopProcess() async {
        guard let stopping = process, job == nil else { return }
        discardProcess(kill: false)
        stopping.closeInput()
        if await !stopping.waitForExit(timeout: .seconds(5)) {
            stopping.kill()
            _ = await stopping.waitForExit(timeout: .seconds(5))
        }
    }

    private func watchMemory(of watched: EngineProcess, generation current: Int) async {
        while !Task.isCancelled, current == generation {
            if let resident = ProcessMemory.residentBytes(pid: watched.pid) {
                peakResidentBytes = max(peakResidentBytes, resident)
                if let limit = configuration.memoryLimitBytes, resident > limit {
                    if let id = job?.id {
                        abort(jobID: id, with: .memoryLimitExceeded(limitBytes: limit, residentBytes: resident))
                    } else {
                        discardProcess(kill: true)
                    }
                    return
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
