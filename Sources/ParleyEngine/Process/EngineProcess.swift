import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One running engine child process: its stdin for requests, its stdout split into lines,
/// and the tail of its stderr for error reports. Owned by `EngineSupervisor`.
final class EngineProcess: Sendable {
    let pid: Int32
    /// Protocol lines from stdout; finishes when the process closes stdout (exit or crash).
    let lines: AsyncStream<Data>
    private let input: FileHandle
    private let stderrTail: LogTail
    private let process: ProcessBox

    init(python: String, forwardLogs: Bool, niceness: Int = 0) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "parley_engine"]
        // BLAS threads fight CTranslate2 for the cores; weights never come from a hub.
        process.environment = ChildEnvironment.minimal(adding: [
            "OPENBLAS_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
            "PARLEY_ENGINE_NICE": String(niceness),
        ])
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw EngineError.startFailed(detail: "\(python): \(error.localizedDescription)")
        }
        self.pid = process.processIdentifier
        self.process = ProcessBox(process)
        self.input = stdin.fileHandleForWriting
        let tail = LogTail(forward: forwardLogs)
        self.stderrTail = tail
        self.lines = Self.readLines(from: stdout.fileHandleForReading)
        Self.drain(stderr.fileHandleForReading, into: tail)
    }

    /// Writes one request line. A dead process makes this throw instead of raising SIGPIPE
    /// (Foundation's write would kill us), hence the raw `write`.
    func send(_ line: Data) throws {
        var data = line
        data.append(0x0A)
        let descriptor = input.fileDescriptor
        let written = data.withUnsafeBytes { buffer -> Int in
            var offset = 0
            while offset < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                offset += result
            }
            return offset
        }
        if written < 0 { throw EngineError.crashed(detail: "its input closed") }
    }

    /// Asks for a clean exit: EOF on stdin ends the engine's read loop.
    func closeInput() {
        try? input.close()
    }

    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
    }

    var isRunning: Bool { process.isRunning }

    /// The last lines the engine logged: the useful part of a crash report.
    var recentLog: String { stderrTail.text }

    /// Waits (polling, bounded) for the process to be gone, then reaps it.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    private static func readLines(from handle: FileHandle) -> AsyncStream<Data> {
        AsyncStream { continuation in
            // A dedicated thread blocks on the pipe so no cooperative-pool thread does.
            let thread = Thread {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: 0x0A) {
                        let line = buffer[buffer.startIndex..<newline]
                        if !line.isEmpty { continuation.yield(Data(line)) }
                        buffer.removeSubrange(buffer.startIndex...newline)
                    }
                }
                continuation.finish()
            }
            thread.start()
        }
    }

    private static func drain(_ handle: FileHandle, into tail: LogTail) {
        Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                tail.append(chunk)
            }
        }.start()
    }
}

/// `Process` is not Sendable; this box only exposes what is safe to ask from any thread.
private final class ProcessBox: @unchecked Sendable {
    private let process: Process
    init(_ process: Process) { self.process = process }
    var isRunning: Bool { process.isRunning }
}
