import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ParleyCore

/// Summaries from any OpenAI-compatible chat endpoint (Ollama, llama.cpp server, vLLM,
/// OpenAI). Long transcripts are summarised section by section, then the sections are
/// combined; every answer must be the same JSON the offline summary produces.
public struct LLMSummarizer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Base URL of the API, e.g. `http://127.0.0.1:11434/v1`.
        public var baseURL: String
        public var model: String
        public var apiKey: String?
        public var sectionCharacters: Int
        public var timeout: TimeAmount

        public init(
            baseURL: String, model: String, apiKey: String? = nil, sectionCharacters: Int = 12_000,
            timeout: TimeAmount = .seconds(300)
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.model = model
            self.apiKey = apiKey
            self.sectionCharacters = sectionCharacters
            self.timeout = timeout
        }

        /// `PARLEY_LLM_URL` + `PARLEY_LLM_MODEL` (+ `PARLEY_LLM_KEY`); nil when unset.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self? {
            guard let url = environment["PARLEY_LLM_URL"], !url.isEmpty, let model = environment["PARLEY_LLM_MODEL"],
                !model.isEmpty
            else { return nil }
            return Configuration(baseURL: url, model: model, apiKey: environment["PARLEY_LLM_KEY"])
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public let configuration: Configuration
    let http: HTTPClient

    public init(configuration: Configuration, http: HTTPClient = .shared) {
        self.configuration = configuration
        self.http = http
    }

    func summarize(_ transcript: Transcript, progress: @Sendable (Double) -> Void) async throws -> MeetingInsights {
        let speakers = Set(transcript.segments.map(\.speakerLabel))
        let sections = Self.sections(transcript.segments, limit: configuration.sectionCharacters)
        var partials: [MeetingInsights] = []
        for (index, section) in sections.enumerated() {
            partials.append(try await ask(LLMPrompts.section, section, speakers: speakers))
            progress(Double(index + 1) / Double(sections.count + (sections.count > 1 ? 1 : 0)))
        }
        guard partials.count > 1 else { return partials[0] }
        let combined = String(decoding: try JSONEncoder().encode(partials), as: UTF8.self)
        return try await ask(LLMPrompts.combine, combined, speakers: speakers)
    }

    /// Transcript lines `[12.3] Speaker 1: text`, cut into sections at line boundaries.
    static func sections(_ segments: [TranscriptionSegment], limit: Int) -> [String] {
        var sections: [String] = [], current = ""
        for segment in segments {
            let line =
                "[\((segment.start * 10).rounded() / 10)-\((segment.end * 10).rounded() / 10)] \(segment.speakerLabel): \(segment.text)\n"
            if !current.isEmpty, current.count + line.count > limit {
                sections.append(current)
                current = ""
            }
            current += line
        }
        if !current.isEmpty { sections.append(current) }
        return sections
    }

    func ask(_ system: String, _ user: String, speakers: Set<String>) async throws -> MeetingInsights {
        let body: [String: Any] = [
            "model": configuration.model, "temperature": 0, "response_format": ["type": "json_object"],
            "messages": [["role": "system", "content": system], ["role": "user", "content": user]],
        ]
        var request = HTTPClientRequest(url: configuration.baseURL + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key = configuration.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: configuration.timeout)
        let data = Data((try await response.body.collect(upTo: 8 << 20)).readableBytesView)
        guard response.status == .ok else { throw Invalid(description: "the model server answered \(response.status.code)") }
        guard let reply = try? JSONDecoder().decode(ChatReply.self, from: data), let content = reply.choices.first?.message.content
        else { throw Invalid(description: "not a chat-completions answer") }
        return try Self.validate(content, speakers: speakers)
    }

    /// The model's JSON, decoded strictly into the offline schema and checked for sense.
    static func validate(_ content: String, speakers: Set<String>) throws -> MeetingInsights {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```"), let open = text.firstIndex(of: "\n"), let close = text.range(of: "```", options: .backwards),
            close.lowerBound > open
        {
            text = String(text[text.index(after: open)..<close.lowerBound])
        }
        let insights: MeetingInsights
        do {
            insights = try JSONDecoder().decode(MeetingInsights.self, from: Data(text.utf8))
        } catch {
            throw Invalid(description: "the answer does not match the summary schema (\(error))")
        }
        let sentiments: Set<String> = ["positive", "neutral", "concerned"]
        guard !insights.summary.isEmpty else { throw Invalid(description: "the summary is empty") }
        guard insights.speakers.allSatisfy({ sentiments.contains($0.sentiment) }) else {
            throw Invalid(description: "sentiment must be positive, neutral or concerned")
        }
        let named =
            insights.summary.map(\.speakerID) + insights.speakers.map(\.speakerID)
            + insights.actionItems.compactMap(\.owner) + insights.decisions.map(\.speakerID)
        guard named.allSatisfy(speakers.contains) else {
            throw Invalid(description: "the answer names speakers who are not in the meeting")
        }
        return insights
    }

    struct ChatReply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        var choices: [Choice]
    }
}
