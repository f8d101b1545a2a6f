import Foundation
import GRDB
import ParleyCore

/// The job table's SQL: claims under a lease, heartbeats, completion that queues the next
/// stage in the same transaction, failure with backoff, recovery of expired leases.
public struct JobRepository: Sendable {
    let database: ParleyDatabase

    public init(database: ParleyDatabase) {
        self.database = database
    }

    /// Queues `stage` for a meeting, or re-queues it if it ran before (re-processing). A
    /// transcribe job carries the model the meeting asked for, so only a worker that has it
    /// claims it.
    static func enqueue(meetingId: String, stage: ProcessingStage, maxAttempts: Int, in db: Database) throws {
        let now = StoreClock.now()
        try db.execute(
            sql: """
                INSERT INTO job (meeting_id, stage, state, uses_engine, attempts, max_attempts, run_after, progress, created_at,
                                 model)
                VALUES (?, ?, \(JobState.queued.sql), ?, 0, ?, ?, 0, ?, CASE WHEN ? THEN (SELECT requested_model FROM meeting WHERE id = ?) END)
                ON CONFLICT(meeting_id, stage) DO UPDATE SET state = \(JobState.queued.sql), attempts = 0, run_after = excluded.run_after,
                    progress = 0, last_error = NULL, lease_owner = NULL, lease_expires = NULL, started_at = NULL,
                    finished_at = NULL, created_at = excluded.created_at, max_attempts = excluded.max_attempts,
                    model = excluded.model, finished_by = NULL
                """,
            arguments: [
                meetingId, stage.rawValue, stage.usesEngine, maxAttempts, now, now, stage == .transcribe,
                meetingId,
            ])
        try db.execute(
            sql: """
                UPDATE meeting SET status = \(MeetingStatus.queued.sql), stage = ?, failure_reason = NULL, updated_at = ?
                WHERE id = ? AND status != \(MeetingStatus.processing.sql)
                """, arguments: [stage.rawValue, now, meetingId])
    }

    /// Queues processing from `stage` on (re-processing), unless a job is already pending.
    /// Returns false when nothing was queued because work is already under way.
    public func requeue(meetingId: String, from stage: ProcessingStage, maxAttempts: Int) async throws -> Bool {
        try await database.pool.write { db in
            let active =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM job WHERE meeting_id = ? AND state IN (\(JobState.queued.sql), \(JobState.running.sql))
                        """, arguments: [meetingId]) ?? 0
            guard active == 0 else { return false }
            try Self.enqueue(meetingId: meetingId, stage: stage, maxAttempts: maxAttempts, in: db)
            return true
        }
    }

    /// Atomically takes the oldest runnable job of the given kind and leases it to `worker`.
    public func claim(worker: String, usesEngine: Bool, lease: Double) async throws -> JobRecord? {
        try await claim(worker: worker, lease: lease, filter: "job.uses_engine = ?", arguments: [usesEngine])
    }

    /// The one claim transaction: the oldest queued, runnable job that also passes `filter`
    /// (SQL over `job`, with its `arguments`) is leased to `worker`, and its meeting marked
    /// processing, all at once, so two workers never take the same job.
    func claim(worker: String, lease: Double, filter: String, arguments: StatementArguments) async throws -> JobRecord? {
        let now = StoreClock.now()
        let all: StatementArguments = [worker, now + lease, now, now] + arguments
        return try await database.pool.write { db in
            guard
                var job = try JobRecord.fetchOne(
                    db,
                    sql: """
                        UPDATE job SET state = \(JobState.running.sql), lease_owner = ?, lease_expires = ?, attempts = attempts + 1,
                            started_at = ?
                        WHERE id = (SELECT job.id FROM job JOIN meeting ON meeting.id = job.meeting_id
                                    WHERE job.state = \(JobState.queued.sql) AND job.run_after <= ? AND \(filter)
                                    ORDER BY meeting.created_at, job.id LIMIT 1)
                        RETURNING *
                        """, arguments: all)
            else { return nil }
            try db.execute(
                sql: """
                    UPDATE meeting SET status = \(MeetingStatus.processing.sql), stage = ?, updated_at = ? WHERE id = ?
                    """, arguments: [job.stage.rawValue, now, job.meetingId])
            job.leaseOwner = worker
            return job
        }
    }

    /// Extends the lease and records progress. False when the job is no longer this
    /// worker's (cancelled, or its lease expired and another worker took it).
    public func heartbeat(jobId: Int64, worker: String, lease: Double, progress: Double) async throws -> Bool {
        let now = StoreClock.now()
        return try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE job SET lease_expires = ?, progress = ? WHERE id = ? AND lease_owner = ? AND state = \(JobState.running.sql)
                    """, arguments: [now + lease, progress, jobId, worker])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: """
                    UPDATE meeting SET progress = ?, updated_at = ? WHERE id = (SELECT meeting_id FROM job WHERE id = ?)
                    """, arguments: [progress, now, jobId])
            return true
        }
    }

    /// Stores the stage's result, marks the job done and queues the next stage, all or
    /// nothing. False (and nothing stored) when the job was taken from this worker.
    public func complete(
        _ job: JobRecord, worker: String, result: Data, seconds: Double, maxAttempts: Int, patch: MeetingPatch? = nil
    ) async throws -> Bool {
        let now = StoreClock.now()
        return try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = \(JobState.done.sql), progress = 1, finished_at = ?, lease_owner = NULL, lease_expires = NULL,
                        finished_by = lease_owner
                    WHERE id = ? AND lease_owner = ? AND state = \(JobState.running.sql)
                    """, arguments: [now, job.id, worker])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO stage_result (meeting_id, stage, result, seconds, created_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [job.meetingId, job.stage.rawValue, String(decoding: result, as: UTF8.self), seconds, now])
            try patch?.apply(to: job.meetingId, in: db)
            if let next = job.stage.next {
                try Self.enqueue(meetingId: job.meetingId, stage: next, maxAttempts: maxAttempts, in: db)
                try db.execute(
                    sql: "UPDATE meeting SET status = \(MeetingStatus.processing.sql), stage = ?, progress = 0 WHERE id = ?",
                    arguments: [next.rawValue, job.meetingId])
            } else {
                try db.execute(
                    sql: """
                        UPDATE meeting SET status = \(MeetingStatus.synced.sql), stage = NULL, progress = 1, updated_at = ? WHERE id = ?
                        """, arguments: [now, job.meetingId])
            }
            return true
        }
    }

    /// Gives a job back to the queue without counting the attempt (the server is shutting
    /// down, not the job failing), so a restart picks it up at once.
    public func release(_ job: JobRecord, worker: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = \(JobState.queued.sql), attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_expires = NULL,
                        run_after = 0 WHERE id = ? AND lease_owner = ? AND state = \(JobState.running.sql)
                    """, arguments: [job.id, worker])
            try db.execute(
                sql: "UPDATE meeting SET status = \(MeetingStatus.queued.sql) WHERE id = ? AND status = \(MeetingStatus.processing.sql)",
                arguments: [job.meetingId])
        }
    }

    /// Records a failed attempt: back to the queue after `retryDelay` while attempts
    /// remain and the error is retryable; otherwise the job and its meeting fail.
    public func fail(_ job: JobRecord, worker: String, error: String, retryable: Bool, retryDelay: Double) async throws {
        let now = StoreClock.now()
        try await database.pool.write { db in
            let retry = retryable && job.attempts < job.maxAttempts
            try db.execute(
                sql: """
                    UPDATE job SET state = ?, last_error = ?, run_after = ?, lease_owner = NULL, lease_expires = NULL,
                        finished_at = ? WHERE id = ? AND lease_owner = ? AND state = \(JobState.running.sql)
                    """,
                arguments: [
                    retry ? JobState.queued.rawValue : JobState.failed.rawValue, error, now + retryDelay, retry ? nil : now, job.id, worker,
                ])
            guard db.changesCount == 1 else { return }
            try db.execute(
                sql: """
                    UPDATE meeting SET status = ?, failure_reason = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    retry ? MeetingStatus.queued.rawValue : MeetingStatus.failed.rawValue, retry ? nil : "\(job.stage.rawValue): \(error)",
                    now,
                    job.meetingId,
                ])
        }
    }

    /// Puts jobs whose lease ran out (their worker died) back in the queue, or fails them
    /// when they have used all their attempts. Returns how many were recovered.
    @discardableResult
    public func recoverExpiredLeases() async throws -> Int {
        let now = StoreClock.now()
        return try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE meeting SET status = \(MeetingStatus.failed.sql), updated_at = ?,
                        failure_reason = 'the job was interrupted too many times'
                    WHERE id IN (SELECT meeting_id FROM job WHERE state = \(JobState.running.sql) AND lease_expires < ?
                                 AND attempts >= max_attempts)
                    """, arguments: [now, now])
            try db.execute(
                sql: """
                    UPDATE job SET state = CASE WHEN attempts >= max_attempts THEN \(JobState.failed.sql) ELSE \(JobState.queued.sql) END,
                        last_error = 'the worker running it stopped', lease_owner = NULL, lease_expires = NULL, run_after = ?
                    WHERE state = \(JobState.running.sql) AND lease_expires < ?
                    """, arguments: [now, now])
            let recovered = db.changesCount
            try db.execute(
                sql: """
                    UPDATE meeting SET status = \(MeetingStatus.queued.sql) WHERE status = \(MeetingStatus.processing.sql)
                    AND id IN (SELECT meeting_id FROM job WHERE state = \(JobState.queued.sql))
                    """)
            return recovered
        }
    }

    /// Cancels whatever is queued or running for the meeting. Returns the ids of the jobs
    /// that were running, so their workers can be stopped.
    public func cancel(meetingId: String) async throws -> [Int64] {
        let now = StoreClock.now()
        return try await database.pool.write { db in
            let running = try Int64.fetchAll(
                db, sql: "SELECT id FROM job WHERE meeting_id = ? AND state = \(JobState.running.sql)", arguments: [meetingId])
            try db.execute(
                sql: """
                    UPDATE job SET state = \(JobState.cancelled.sql), finished_at = ?, lease_owner = NULL, lease_expires = NULL,
                        last_error = 'cancelled' WHERE meeting_id = ? AND state IN (\(JobState.queued.sql), \(JobState.running.sql))
                    """, arguments: [now, meetingId])
            if db.changesCount > 0 {
                try db.execute(
                    sql: """
                        UPDATE meeting SET status = \(MeetingStatus.failed.sql), failure_reason = 'cancelled', updated_at = ? WHERE id = ?
                        """, arguments: [now, meetingId])
            }
            return running
        }
    }

    public func jobs(meetingId: String) async throws -> [JobRecord] {
        try await database.pool.read { db in
            try JobRecord.filter(Column("meeting_id") == meetingId).order(Column("id")).fetchAll(db)
        }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await database.pool.read { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// Model jobs waiting (not running): what the bounded queue limits.
    public func waitingEngineJobs() async throws -> Int {
        try await database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE state = \(JobState.queued.sql) AND uses_engine = 1") ?? 0
        }
    }

    /// Seconds since the longest-waiting model job became runnable (0 when none waits).
    public func oldestWaitingEngineJobAge() async throws -> Double {
        try await database.pool.read { db in
            let oldest = try Double.fetchOne(
                db, sql: "SELECT MIN(run_after) FROM job WHERE state = \(JobState.queued.sql) AND uses_engine = 1")
            return oldest.map { max(0, StoreClock.now() - $0) } ?? 0
        }
    }

    /// Model jobs ahead of the meeting's current one (running ones included), in claim
    /// order: older meetings first, so one meeting finishes before the next starts.
    public func queuePosition(meetingId: String) async throws -> Int? {
        try await database.pool.read { db in
            guard
                let job = try JobRecord.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM job WHERE meeting_id = ? AND state IN (\(JobState.queued.sql), \(JobState.running.sql)) ORDER BY id LIMIT 1
                        """, arguments: [meetingId])
            else { return nil }
            if job.state == .running { return 0 }
            return try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM job JOIN meeting ON meeting.id = job.meeting_id, meeting AS mine
                    WHERE mine.id = ? AND job.uses_engine = 1 AND (job.state = \(JobState.running.sql) OR (job.state = \(JobState.queued.sql)
                        AND (meeting.created_at < mine.created_at OR (meeting.created_at = mine.created_at AND job.id < ?))))
                    """, arguments: [meetingId, job.id])
        }
    }

    /// Counts of jobs by stage and state, for metrics.
    public func counts() async throws -> [(stage: String, state: String, count: Int)] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, state, COUNT(*) AS n FROM job GROUP BY stage, state").map {
                (stage: $0["stage"], state: $0["state"], count: $0["n"])
            }
        }
    }

    /// Seconds of work per second of audio for `stage`, averaged over recent meetings.
    public func realTimeFactor(stage: ProcessingStage) async throws -> Double? {
        try await database.pool.read { db in
            try Double.fetchOne(
                db,
                sql: """
                    SELECT AVG(r.seconds / m.duration) FROM (
                        SELECT meeting_id, seconds FROM stage_result WHERE stage = ? ORDER BY created_at DESC LIMIT 20
                    ) r JOIN meeting m ON m.id = r.meeting_id WHERE m.duration > 0
                    """, arguments: [stage.rawValue])
        }
    }

    public func result(meetingId: String, stage: ProcessingStage) async throws -> Data? {
        try await database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT result FROM stage_result WHERE meeting_id = ? AND stage = ?",
                arguments: [meetingId, stage.rawValue]
            ).map { Data($0.utf8) }
        }
    }
}
