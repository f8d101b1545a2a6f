import ParleyCore

// Statuses and job states reach SQL through ParleyCore's types, never as bare literals: a
// renamed or removed case then fails to compile instead of silently matching no row.

extension MeetingStatus {
    /// This status as an SQL string literal (`'synced'`).
    var sql: String { "'\(rawValue)'" }
}

extension JobState {
    /// This state as an SQL string literal (`'running'`).
    var sql: String { "'\(rawValue)'" }
}
