import ArgumentParser

@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Meeting recordings to speaker-attributed transcripts, on your own machines.",
        subcommands: [ServeCommand.self, TranscribeCommand.self, UserCommand.self, TokenCommand.self, EngineCommand.self]
    )
}
