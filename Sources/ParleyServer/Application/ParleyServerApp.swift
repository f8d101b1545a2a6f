import Foundation
import Hummingbird
import Logging
import NIOCore
import ParleyQueue
import ParleyStore
import Prometheus
import ServiceLifecycle

/// Assembles `parley serve`: the database, the processing service and the HTTP API, run
/// together with graceful shutdown on SIGINT/SIGTERM.
public struct ParleyServerApp: Sendable {
    public let configuration: ServerConfiguration

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    public func run(registry: PrometheusCollectorRegistry?, logger: Logger) async throws {
        let dependencies = try Self.dependencies(configuration: configuration, logger: logger)
        let database = dependencies.database
        let router = Self.router(dependencies: dependencies, registry: registry)
        // The idle timeout also bounds slow clients: the request head and each body chunk
        // count as activity only once parsed, so a slowloris that trickles a header, or a
        // PATCH that stops sending, is closed, and the upload's lock is released with it.
        let idle = TimeAmount.milliseconds(Int64(configuration.idleTimeoutSeconds * 1000))
        var app = Application(
            responder: Self.responder(router: router, dependencies: dependencies),
            server: .http1(configuration: .init(additionalChannelHandlers: [ContinueHandler()], idleTimeout: idle)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "parley"),
            logger: logger)
        app.addServices(dependencies.processing, UploadJanitor(dependencies: dependencies))
        app.addServices(
            WebhookDispatcher(
                repository: WebhookRepository(database: database), settings: configuration.webhooks,
                linkRoot: configuration.publicURL ?? configuration.basePath, logger: logger))
        if let schedule = configuration.backups {
            app.addServices(
                BackupService(
                    schedule: schedule, database: database, dataDirectory: configuration.dataDirectory, logger: logger))
        }
        logger.info("parley serving on http://\(configuration.host):\(configuration.port), data in \(configuration.dataDirectory.path)")
        try await app.runService()
    }

    /// The database, audio storage and processing queue over `configuration.dataDirectory`,
    /// shared by the routes. `run` adds the services that work in the background (the
    /// queue's workers, the janitor, webhooks, backups); router tests build the same
    /// dependencies and routes over a temporary directory and run none of them.
    static func dependencies(configuration: ServerConfiguration, logger: Logger) throws -> ServerDependencies {
        let storage = DataLayout(root: configuration.dataDirectory)
        try storage.prepare()
        let database = try ParleyDatabase(path: configuration.databasePath)
        let processing = ProcessingService(
            database: database, dataDirectory: configuration.dataDirectory, configuration: configuration.queue,
            engine: configuration.engine, transcription: configuration.transcription, events: EventBroadcaster(),
            logger: logger, summarizer: Summarizer(llm: configuration.llm.map { LLMSummarizer(configuration: $0) }))
        return ServerDependencies(
            configuration: configuration, database: database, accounts: AccountRepository(database: database),
            sessions: SessionRepository(
                database: database, idleSeconds: configuration.sessionIdleSeconds, maxSeconds: configuration.sessionMaxSeconds),
            meetings: MeetingRepository(database: database), uploads: UploadRepository(database: database),
            jobs: JobRepository(database: database), processing: processing, storage: storage, uploadLocks: UploadLocks(),
            metrics: ServerMetrics(),
            // A rate limit of 0 turns this limit off too (load tests, benchmarks).
            authFailures: RateLimiter(
                rate: configuration.rateLimitPerSecond > 0 ? configuration.authFailuresPerSecond : 0,
                burst: configuration.authFailureBurst),
            connections: ConnectionCaps(
                uploads: .init(perUser: configuration.uploadConnections.perUser, total: configuration.uploadConnections.total),
                events: .init(perUser: configuration.eventConnections.perUser, total: configuration.eventConnections.total),
                transcriptions: .init(perUser: configuration.openAIConcurrency, total: configuration.openAIConcurrency)),
            search: SearchService(
                repository: SearchRepository(database: database),
                encoder: configuration.queue.localWorkers ? QueryEncoder(configuration: configuration.engine) : nil),
            logger: logger)
    }

    /// What the HTTP server answers with: the router under the configured base path.
    static func responder(
        router: Router<ParleyRequestContext>, dependencies: ServerDependencies
    ) -> BasePathResponder<RouterResponder<ParleyRequestContext>> {
        BasePathResponder(prefix: dependencies.configuration.basePath, wrapped: router.buildResponder())
    }

    static func router(dependencies: ServerDependencies, registry: PrometheusCollectorRegistry?) -> Router<ParleyRequestContext> {
        let router = Router(context: ParleyRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(
            middleware: RateLimitMiddleware(
                limiter: RateLimiter(
                    rate: dependencies.configuration.rateLimitPerSecond, burst: dependencies.configuration.rateLimitBurst),
                dependencies: dependencies))
        router.add(middleware: WorkerScopeMiddleware())
        HealthRoutes(dependencies: dependencies, registry: registry).register(on: router)
        UploadRoutes(dependencies: dependencies).register(on: router)
        WebRoutes(dependencies: dependencies).register(on: router)
        let authenticated = router.group().add(
            middleware: AuthenticationMiddleware(accounts: dependencies.accounts, sessions: dependencies.sessions))
        let api = authenticated.group("/api/v1")
        let meetings = api.group("meetings")
        DirectUploadRoute(dependencies: dependencies).register(on: meetings)
        MeetingRoutes(dependencies: dependencies).register(on: meetings)
        ProcessingRoutes(dependencies: dependencies).register(on: meetings, api: api)
        AudioRoutes(dependencies: dependencies).register(on: meetings)
        SpeakerRoutes(dependencies: dependencies).register(on: meetings)
        SegmentRoutes(dependencies: dependencies).register(on: meetings)
        ExportRoutes(dependencies: dependencies).register(on: meetings)
        SearchRoutes(dependencies: dependencies).register(on: api)
        TokenRoutes(dependencies: dependencies).register(on: api)
        WebhookRoutes(dependencies: dependencies).register(on: api)
        VocabularyRoutes(dependencies: dependencies).register(on: api)
        WorkerRoutes(dependencies: dependencies).register(on: api)
        OpenAITranscriptionRoute(dependencies: dependencies).register(on: authenticated)
        return router
    }
}
