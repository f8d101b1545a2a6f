import Foundation
import Mustache

/// The page templates (`Resources/Templates/*.mustache`), parsed once at start-up.
/// Partials refer to each other by file name (`{{>header}}`).
struct WebTemplates: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case unknownTemplate(String)

        var description: String {
            switch self {
            case .missing(let path): "the web templates are missing (looked in \(path))"
            case .unknownTemplate(let name): "no template named \(name)"
            }
        }
    }

    let library: MustacheLibrary

    init(library: MustacheLibrary) {
        self.library = library
    }

    /// Loads every template in the resource bundle.
    static func load() throws -> WebTemplates {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil, subdirectory: "Resources")
        else { throw Failure.missing("\(Bundle.module.bundlePath)/Resources/Templates") }
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            try library.register(text, named: file.deletingPathExtension().lastPathComponent)
        }
        return WebTemplates(library: library)
    }

    func render(_ object: Any, template name: String) throws -> String {
        guard let html = library.render(object, withTemplate: name) else { throw Failure.unknownTemplate(name) }
        return html
    }
}
