import Foundation
import Logging
import ParleyQueue
import ParleyStore

/// The pieces route handlers share.
struct ServerDependencies: Sendable {
    let configuration: ServerConfiguration
    let database: ParleyDatabase
    let accounts: AccountRepository
    let sessions: SessionRepository
    let meetings: MeetingRepository
    let uploads: UploadRepository
    let jobs: JobRepository
    let processing: ProcessingService
    let storage: DataLayout
    let uploadLocks: UploadLocks
    let metrics: ServerMetrics
    /// Failed authentications per client address (bearer, session, sign-in form).
    let authFailures: RateLimiter
    let connections: ConnectionCaps
    let search: SearchService
    let logger: Logger
}
