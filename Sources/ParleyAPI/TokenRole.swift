/// What an API token may do. A `worker` token belongs to a `parley worker` process: it may
/// claim, run and report jobs and read the audio of a job it holds, and nothing else.
public enum TokenRole: String, Codable, Sendable, CaseIterable {
    case user, worker
}
