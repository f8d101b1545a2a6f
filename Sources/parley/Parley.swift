import ArgumentParser

@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Meeting recordings to speaker-attributed transcripts, on your own machines.",
        subcommands: [
            ServeCommand.self, TranscribeCommand.self, LoginCommand.self, ImportCommand.self, WatchCommand.self,
            SyncCommand.self, AgentCommand.self, ListCommand.self, ShowCommand.self, StatusCommand.self, StorageCommand.self,
            SearchCommand.self,
            UserCommand.self, TokenCommand.self, BackupCommand.self, RestoreCommand.self, DoctorCommand.self, EngineCommand.self,
            ModelsCommand.self,
            WorkerCommand.self,
        ]
    )
}
