import ArgumentParser

/// The `rnnkit` tool: Keras recurrent models outside Python.
@main
struct RNNKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rnnkit",
        abstract: "Inspect, validate, run, convert and benchmark Keras recurrent-model files outside Python.",
        discussion: """
            Exit codes: 0 success; 64 usage error; 65 the file is not a readable Keras file; \
            66 the file does not exist.
            """,
        subcommands: [Inspect.self, Validate.self, Run.self, Convert.self, Bench.self, Diff.self]
    )
}
