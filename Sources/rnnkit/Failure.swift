import ArgumentParser
import Foundation
import KerasFormat

/// A progress line on stderr, only when stderr is a terminal (scripts and pipes get no noise). In the
/// isolated child, stderr is a pipe to the parent; progress goes to the terminal directly.
func progress(_ message: String) {
    let terminal = Isolation.terminal
    if isatty(terminal) != 0 {
        let line = Array((TerminalText.escaped(message) + "\n").utf8)
        _ = line.withUnsafeBytes { write(terminal, $0.baseAddress, $0.count) }
    }
}

/// The documented exit codes (sysexits.h), shared by every command.
enum Failure {
    /// Usage errors exit 64 through swift-argument-parser.
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let cannotCreate: Int32 = 73

    /// Prints the error's one sentence on stderr and returns the exit code to leave with.
    static func report(_ error: KerasFormatError) -> ExitCode {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        switch error.code {
        case .fileNotFound: return ExitCode(noInput)
        case .unknownLayout, .unreadable, .configRequired, .unsupportedLayer, .weightMismatch, .invalidModel:
            return ExitCode(dataError)
        case .cannotWrite: return ExitCode(cannotCreate)
        }
    }
}
